/**
 * A study of many COMPLETE trials written straight into an SQLite study file (Optuna's tables
 * and encoding, through the store's own schema), for benchmarks that need 1.5 million trials
 * in seconds rather than the hours an optimize run would take on a small machine.
 */
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

export interface BigStudyOptions {
  /** Float parameters x0, x1, ... in [-5, 5] (2: named x and y, as the storage benchmark's). */
  readonly params?: number;
  readonly studyName?: string;
}

/** Writes a study of `n` COMPLETE trials (parameters, one value: the sum of squares). Returns its id. */
export function buildBigStudy(file: string, n: number, options: BigStudyOptions = {}): number {
  const nParams = options.params ?? 2;
  const names = nParams === 2 ? ['x', 'y'] : Array.from({ length: nParams }, (_, k) => `x${k}`);
  const s = new SqliteStorage(file);
  const studyId = s.createStudy(options.studyName ?? 'big', ['minimize']);
  s.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const firstId = ((db.prepare('SELECT MAX(trial_id) AS m FROM trials').get() as { m: number | null }).m ?? 0) + 1;
  const trial = db.prepare("INSERT INTO trials (trial_id, number, study_id, state, datetime_start, datetime_complete) VALUES (?, ?, ?, 'COMPLETE', ?, ?)");
  const param = db.prepare('INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)');
  const value = db.prepare("INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, 0, ?, 'FINITE')");
  const dist = '{"name": "FloatDistribution", "attributes": {"step": null, "low": -5.0, "high": 5.0, "log": false}}';
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 10 - 5;
  const chunk = 100_000;
  for (let start = 0; start < n; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + chunk); i++) {
        const id = firstId + i;
        trial.run(id, i, studyId, '2026-01-01 00:00:00.000000', '2026-01-01 00:00:01.000000');
        let sum = 0;
        for (const name of names) {
          const x = rnd();
          sum += x * x;
          param.run(id, name, x, dist);
        }
        value.run(id, sum);
      }
    })();
  }
  db.close();
  return studyId;
}
