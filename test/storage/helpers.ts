import { type ChildProcess, spawn } from 'node:child_process';
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

export interface WorkerResult {
  pid: number;
  seenAtStart: number;
  nTrials: number;
  completed: number;
  stopReason: string;
}

/**
 * Starts test/fixtures/storage/worker.mjs on a store (an SQLite file or a postgresql:// URL):
 * `done` resolves with its JSON line, `progressed` once it printed "progress" (options.signalAfter).
 */
export function startStorageWorker(
  store: string,
  study: string,
  mode: string,
  options: object = {},
): { child: ChildProcess; done: Promise<WorkerResult>; progressed: Promise<void> } {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'test/fixtures/storage/worker.mjs'), store, study, mode, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let progressed!: () => void;
  const progress = new Promise<void>((resolve) => (progressed = resolve));
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.includes('progress\n')) progressed();
  });
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!));
      else reject(new Error(`worker exited with ${code ?? signal}: ${err}`));
    });
  });
  return { child, done, progressed: progress };
}
