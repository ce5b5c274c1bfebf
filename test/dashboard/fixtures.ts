// Study files the dashboard tests serve: an IB study with a hostile name and user attribute (its
// trials can be re-run for an equity curve), and a test-function study to add trials to while a
// page watches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { EVIL_ATTR, EVIL_NAME, ibStudy } from '../report/fixtures.js';

export { EVIL_ATTR, EVIL_NAME };
export const WATCHED = 'quadratic';

export function tempFolder(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-dashboard-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Adds `n` finished trials to the quadratic study in `path` through its own connection (as another process would). */
export async function addQuadraticTrials(path: string, n: number, seed = 1): Promise<void> {
  const storage = new SqliteStorage(path);
  try {
    const study = createStudy({ storage, studyName: WATCHED, direction: 'minimize', sampler: new RandomSampler({ seed }), loadIfExists: true });
    await study.optimize((t) => (t.suggestFloat('x', -3, 3) - 1) ** 2 + t.suggestInt('n', 0, 9), { nTrials: n });
  } finally {
    storage.close();
  }
}

/** A study file with an IB study (hostile name, `ibTrials` trials) and the quadratic study (`quadraticTrials` trials). */
export async function dashboardFile(path: string, options: { ibTrials?: number; quadraticTrials?: number } = {}): Promise<void> {
  const storage = new SqliteStorage(path);
  try {
    await ibStudy(options.ibTrials ?? 20, storage);
  } finally {
    storage.close();
  }
  await addQuadraticTrials(path, options.quadraticTrials ?? 30, 7);
}
