import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'studyopt-storage-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REFERENCE_DB = '/work/shared/reference/optuna-written.db';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
