/**
 * The locks SQLite holds on a study file must survive everything studyopt does in the same
 * process: POSIX advisory locks are per process and close() of ANY descriptor on the file drops
 * them all. Without its shared lock a connection looks absent to other processes, and the last of
 * those to close deletes the WAL under it (commits lost, "disk I/O error", a corrupt file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { floatDistribution } from '../../src/distributions.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { isCreated } from '../../src/storage/storage.js';
import { isCI } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const noPython = !existsSync(PYTHON);
if (noPython && isCI()) throw new Error(`CI is set, but ${PYTHON} is missing (.ci/install-optuna.sh installs it)`);

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/**
 * Another program opens the file, reads it and closes its connection, the last one if it sees no
 * other. Python's sqlite3 stands for the SQLite of other programs (Optuna, the sqlite3 shell): it
 * deletes the WAL on such a close (better-sqlite3's build, in a child process, was seen not to).
 */
function visitFromAnotherProgram(file: string): void {
  const script = `import sqlite3; c = sqlite3.connect(${JSON.stringify(file)}); c.execute('SELECT count(*) FROM trials').fetchall(); c.close()`;
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
}

it.skipIf(noPython)('opening the file a second time in one process keeps the first connection visible to other processes', () => {
  const file = join(dir, 'study.db');
  const first = new SqliteStorage(file);
  const studyId = first.createStudy('locks', ['minimize']);
  const created = first.createTrial(studyId);
  if (!isCreated(created)) throw new Error('no limit was set, so the trial must be created');
  const { trialId } = created;
  first.setTrialParam(trialId, 'x', 0.5, floatDistribution(0, 1));
  first.flush?.();
  expect(existsSync(`${file}-wal`)).toBe(true);

  const second = new SqliteStorage(file); // the open that used to read the header with fs and close it
  visitFromAnotherProgram(file);

  expect(existsSync(`${file}-wal`)).toBe(true);
  first.setTrialStateValues(trialId, 'COMPLETE', [0.25]);
  first.flush?.();
  expect(second.getTrial(trialId).values).toEqual([0.25]);
  second.close();
  first.close();
  const check = new SqliteStorage(file);
  expect(check.integrityCheck()).toBe('ok');
  expect(check.getTrial(trialId)).toMatchObject({ state: 'COMPLETE', values: [0.25], params: { x: 0.5 } });
  check.close();
});
