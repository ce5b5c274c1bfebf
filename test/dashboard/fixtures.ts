// Study files the dashboard tests serve: an IB study with a hostile name and user attribute (its
// trials can be re-run for an equity curve), and a test-function study to add trials to while a
// page watches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_CONFIG_KEY } from '../../src/apps/cli/cli-study.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import * as ib from '../../studies/ib/objective.js';
import { EVIL_ATTR, EVIL_NAME } from '../report/fixtures.js';

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
    ib.setup({ symbol: 'GER40', grid: 'standard' });
    const study = createStudy({ storage, studyName: EVIL_NAME, direction: 'maximize', sampler: new RandomSampler({ seed: 5 }), constraints: ib.constraints });
    study.setSystemAttr(CLI_CONFIG_KEY, { study: 'ib', symbol: 'GER40', grid: 'standard', objective: 'sharpe', minTrades: 10, from: null, to: null });
    await study.optimize(
      (trial) => {
        const v = ib.objective(trial);
        trial.setUserAttr('note', EVIL_ATTR);
        return v;
      },
      { nTrials: options.ibTrials ?? 20 },
    );
  } finally {
    storage.close();
  }
  await addQuadraticTrials(path, options.quadraticTrials ?? 30, 7);
}
