/**
 * Optuna compatibility, against the file Optuna 4.9 itself wrote (/work/shared/reference):
 * the same DDL and version rows, the same row encodings, and studyopt reading and continuing
 * Optuna's studies. Plus the files studyopt must refuse, untouched.
 */
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { categoricalDistribution, floatDistribution, intDistribution } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { isCreated } from '../../src/storage/storage.js';
import { loadStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { pyFloatRepr, pyJson } from '../../src/storage/sql/encoding.js';
import { REFERENCE_DB, tempDir } from './helpers.js';

type Row = Record<string, unknown>;

function query(file: string, sql: string, ...args: unknown[]): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Row[];
  } finally {
    db.close();
  }
}

const SCHEMA_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'studyopt_%' ORDER BY rowid";
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

describe('Optuna compatibility', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  function copyReference(): string {
    const file = join(dir, 'optuna-written.db');
    copyFileSync(REFERENCE_DB, file);
    chmodSync(file, 0o644);
    return file;
  }

  it('creates exactly the tables, columns, indexes, constraints and version rows of Optuna 4.9 (layout optuna)', () => {
    const file = join(dir, 'new.db');
    new SqliteStorage(file, { layout: 'optuna' }).close();
    expect(query(file, SCHEMA_SQL)).toEqual(query(REFERENCE_DB, SCHEMA_SQL));
    for (const { name } of query(REFERENCE_DB, "SELECT name FROM sqlite_master WHERE type = 'table'")) {
      expect(query(file, `PRAGMA table_info(${name})`)).toEqual(query(REFERENCE_DB, `PRAGMA table_info(${name})`));
      expect(query(file, `PRAGMA foreign_key_list(${name})`)).toEqual(query(REFERENCE_DB, `PRAGMA foreign_key_list(${name})`));
      const indexes = (f: string): Row[] =>
        query(f, `PRAGMA index_list(${name})`)
          .filter((r) => !String(r.name).startsWith('studyopt_'))
          .map(({ seq: _seq, ...r }) => r);
      expect(indexes(file)).toEqual(indexes(REFERENCE_DB));
    }
    expect(query(file, 'SELECT * FROM version_info')).toEqual([{ version_info_id: 1, schema_version: 12, library_version: '4.9.0' }]);
    expect(query(file, 'SELECT * FROM alembic_version')).toEqual([{ version_num: 'v3.2.0.a' }]);
  });

  it("compact layout: Optuna's parameter and user-attribute tables as views with their columns, the rest exactly Optuna's", () => {
    const file = join(dir, 'compact.db');
    const s = new SqliteStorage(file);
    expect(s.layout).toBe('compact');
    s.close();
    const views = new Set(['trial_params', 'trial_user_attributes']);
    const named = (f: string): Row[] => query(f, SCHEMA_SQL).filter((r) => !views.has(String(r.tbl_name)) && !String(r.tbl_name).startsWith('studyopt_'));
    expect(named(file)).toEqual(named(REFERENCE_DB));
    for (const name of views) {
      expect(query(file, "SELECT type FROM sqlite_master WHERE name = ?", name)).toEqual([{ type: 'view' }]);
      const columns = (f: string): unknown[] => query(f, `PRAGMA table_info(${name})`).map((c) => c.name);
      expect(columns(file)).toEqual(columns(REFERENCE_DB));
    }
    // A file keeps its layout: asking for the other one when opening it again changes nothing.
    const again = new SqliteStorage(file, { layout: 'optuna' });
    expect(again.layout).toBe('compact');
    again.close();
    const optuna = join(dir, 'optuna.db');
    new SqliteStorage(optuna, { layout: 'optuna' }).close();
    const reopened = new SqliteStorage(optuna);
    expect(reopened.layout).toBe('optuna');
    reopened.close();
  });

  it('compact layout: the views take the statements Optuna writes them with (insert, update, delete), and a repeated key updates its row', () => {
    const file = join(dir, 'compact.db');
    const s = new SqliteStorage(file);
    const study = s.createStudy('s', ['minimize']);
    const t = s.createTrial(study);
    if (!isCreated(t)) throw new Error('not created');
    s.close();
    const db = new Database(file);
    try {
      const dist = '{"name": "FloatDistribution", "attributes": {"step": null, "low": -5.0, "high": 5.0, "log": false}}';
      // As SQLAlchemy emits them for Optuna's models.
      db.prepare('INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)').run(t.trialId, 'x', 0.5, dist);
      db.prepare('INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)').run(t.trialId, 'y', 1.5, dist);
      db.prepare('INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (?, ?, ?)').run(t.trialId, 'note', '"a"');
      const x = db.prepare("SELECT param_id FROM trial_params WHERE param_name = 'x'").get() as { param_id: number };
      db.prepare('UPDATE trial_params SET param_value=? WHERE trial_params.param_id = ?').run(-1.25, x.param_id);
      const note = db.prepare("SELECT trial_user_attribute_id AS id FROM trial_user_attributes WHERE \"key\" = 'note'").get() as { id: number };
      db.prepare('UPDATE trial_user_attributes SET value_json=? WHERE trial_user_attributes.trial_user_attribute_id = ?').run('"b"', note.id);
      db.prepare('INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (?, ?, ?)').run(t.trialId, 'other', '2');
      db.prepare('INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (?, ?, ?)').run(t.trialId, 'other', '3');
      db.prepare("DELETE FROM trial_params WHERE param_name = 'y'").run();
      expect(db.prepare('SELECT trial_id, param_name, param_value, distribution_json FROM trial_params').all()).toEqual([
        { trial_id: t.trialId, param_name: 'x', param_value: -1.25, distribution_json: dist },
      ]);
      expect(db.prepare('SELECT "key", value_json FROM trial_user_attributes ORDER BY trial_user_attribute_id').all()).toEqual([
        { key: 'note', value_json: '"b"' },
        { key: 'other', value_json: '3' },
      ]);
      // Each text once, however many rows use it.
      expect(db.prepare('SELECT count(*) AS n FROM studyopt_texts').get()).toEqual({ n: 5 });
    } finally {
      db.close();
    }
    const reader = new SqliteStorage(file, { readonly: true });
    const [trial] = reader.getAllTrials(study);
    expect(trial.params).toEqual({ x: -1.25 });
    expect(trial.userAttrs).toEqual({ note: 'b', other: 3 });
    reader.close();
  });

  for (const layout of ['compact', 'optuna'] as const) {
    it(`writes rows encoded as Optuna writes them (layout ${layout})`, () => {
      const file = join(dir, 'rows.db');
      const s = new SqliteStorage(file, { layout });
    const ref = s.createStudy('ref', ['minimize']);
    s.createStudy('ref-mo', ['minimize', 'maximize']);
    s.setStudyUserAttr(ref, 'purpose', 'schema reference');
    s.setStudyUserAttr(ref, 'nested', { a: [1, 2.5, null], b: 'text' });
    // The first trial of the reference study 'ref', parameter by parameter.
    const t = s.createTrial(ref);
    if (!isCreated(t)) throw new Error('not created');
    s.setTrialParam(t.trialId, 'x', 0.48813503927324753, floatDistribution(-5, 5));
    s.setTrialParam(t.trialId, 'lr', 0.007257005721594277, floatDistribution(1e-5, 0.1, { log: true }));
    s.setTrialParam(t.trialId, 's', 0.75, floatDistribution(0, 1, { step: 0.25 }));
    s.setTrialParam(t.trialId, 'n', 6, intDistribution(1, 10));
    s.setTrialParam(t.trialId, 'nl', 13, intDistribution(1, 1024, { log: true }));
    s.setTrialParam(t.trialId, 'ns', 65, intDistribution(0, 100, { step: 5 }));
    s.setTrialParam(t.trialId, 'c', 2, categoricalDistribution(['adam', 'sgd', null, 3]));
    s.setTrialParam(t.trialId, 'b', 0, categoricalDistribution([true, false]));
    s.setTrialUserAttr(t.trialId, 'note', 'trial 0');
    s.setTrialIntermediateValue(t.trialId, 0, NaN);
    s.setTrialIntermediateValue(t.trialId, 1, Infinity);
    s.setTrialIntermediateValue(t.trialId, 2, -Infinity);
    s.setTrialIntermediateValue(t.trialId, 3, 0.25);
    s.setTrialSystemAttr(t.trialId, 'fixed_params', { u: 0.5 });
    s.setTrialStateValues(t.trialId, 'COMPLETE', [2.054532822287889]);
    const inf = s.createTrial(ref);
    if (!isCreated(inf)) throw new Error('not created');
    s.setTrialStateValues(inf.trialId, 'COMPLETE', [-Infinity]);
    s.close();

    const params = 'SELECT param_name, param_value, distribution_json FROM trial_params WHERE trial_id = ? ORDER BY param_id';
    expect(query(file, params, t.trialId)).toEqual(query(REFERENCE_DB, params, 1));
    expect(query(file, 'SELECT direction, objective FROM study_directions ORDER BY study_direction_id')).toEqual(
      query(REFERENCE_DB, 'SELECT direction, objective FROM study_directions WHERE study_id IN (1, 2) ORDER BY study_direction_id'),
    );
    expect(query(file, 'SELECT "key", value_json FROM study_user_attributes ORDER BY 1')).toEqual(
      query(REFERENCE_DB, 'SELECT "key", value_json FROM study_user_attributes ORDER BY 1'),
    );
    expect(query(file, 'SELECT value_json FROM trial_user_attributes')).toEqual(query(REFERENCE_DB, 'SELECT value_json FROM trial_user_attributes WHERE trial_id = 1'));
    expect(query(file, "SELECT value_json FROM trial_system_attributes WHERE \"key\" = 'fixed_params'")).toEqual(
      query(REFERENCE_DB, 'SELECT value_json FROM trial_system_attributes WHERE trial_id = 35 AND "key" = \'fixed_params\''),
    );
    const iv = 'SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE trial_id = ? ORDER BY step';
    expect(query(file, iv, t.trialId)).toEqual(query(REFERENCE_DB, iv, 30));
    expect(query(file, 'SELECT objective, value, value_type FROM trial_values WHERE trial_id = ?', inf.trialId)).toEqual(
      query(REFERENCE_DB, 'SELECT objective, value, value_type FROM trial_values WHERE trial_id = 31'),
    );
    const trial = query(file, 'SELECT number, state, datetime_start, datetime_complete FROM trials WHERE trial_id = ?', t.trialId)[0];
    expect(trial.number).toBe(0);
    expect(trial.state).toBe('COMPLETE');
    expect(trial.datetime_start).toMatch(DATETIME);
    expect(trial.datetime_complete).toMatch(DATETIME);
    expect(query(REFERENCE_DB, 'SELECT datetime_start FROM trials WHERE trial_id = 1')[0].datetime_start).toMatch(DATETIME);
    });
  }

  it('writes JSON and floats as Python does', () => {
    expect([1e-5, 0.1, -5, 1e16, 123.456, 1.5e-7, 0.0001].map(pyFloatRepr)).toEqual(['1e-05', '0.1', '-5.0', '1e+16', '123.456', '1.5e-07', '0.0001']);
    // Shortest round-trip digits, as Python's repr (not the exact decimal expansion rounded:
    // 1535992335708429.2 is stored as ...429.25), and integral values with ".0".
    expect([1535992335708429.2, 203183510793976.12, 1e15, 9.999999999999998e15, 0.30000000000000004].map(pyFloatRepr)).toEqual([
      '1535992335708429.2',
      '203183510793976.12',
      '1000000000000000.0',
      '9999999999999998.0',
      '0.30000000000000004',
    ]);
    expect(pyJson({ a: [1, 2.5, null], b: 'text', c: 'Zürich', d: [NaN, Infinity] })).toBe('{"a": [1, 2.5, null], "b": "text", "c": "Z\\u00fcrich", "d": [NaN, Infinity]}');
  });

  it('reads the studies Optuna wrote: parameters, values, states, attributes, intermediate values', () => {
    const s = new SqliteStorage(copyReference());
    expect(s.getAllStudies().map((x) => x.studyName)).toEqual(['ref', 'ref-mo', 'ref-special', 'ref-heartbeat', 'cli-made']);
    const ref = s.findStudyId('ref')!;
    const trials = s.getAllTrials(ref);
    expect(trials.length).toBe(24);
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const t0 = trials[0];
    expect(t0.params).toEqual({ x: 0.48813503927324753, lr: 0.007257005721594277, s: 0.75, n: 6, nl: 13, ns: 65, c: null, b: true });
    expect(t0.distributions.c).toEqual(categoricalDistribution(['adam', 'sgd', null, 3]));
    expect(t0.distributions.lr).toEqual(floatDistribution(1e-5, 0.1, { log: true }));
    expect(t0.userAttrs).toEqual({ note: 'trial 0' });
    expect([...t0.intermediateValues.keys()]).toEqual([0, 1, 2]);
    expect(trials.map((t) => t.state).filter((st) => st !== 'COMPLETE')).toEqual(['FAIL', 'PRUNED']);
    expect(s.getStudyUserAttrs(ref)).toEqual({ purpose: 'schema reference' });
    const best = s.getBestTrial(ref)!;
    const min = Math.min(...trials.filter((t) => t.state === 'COMPLETE').map((t) => t.values![0]));
    expect(best.values![0]).toBe(min);
    expect(s.getStudyDirections(s.findStudyId('ref-mo')!)).toEqual(['minimize', 'maximize']);
    const special = s.getAllTrials(s.findStudyId('ref-special')!);
    expect(special.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'RUNNING', 'FAIL', 'FAIL', 'WAITING']);
    expect(special[0].values).toEqual([Infinity]);
    expect(special[1].values).toEqual([-Infinity]);
    expect([...special[0].intermediateValues.values()]).toEqual([NaN, Infinity, -Infinity, 0.25]);
    expect(special[5].systemAttrs).toEqual({ fixed_params: { u: 0.5 }, custom_sys: [1, 2] });
    expect(s.getStudyUserAttrs(s.findStudyId('ref-special')!)).toEqual({ nested: { a: [1, 2.5, null], b: 'text' } });
    // maximize with +inf: the best is the +inf trial.
    expect(s.getBestTrial(s.findStudyId('ref-special')!)!.number).toBe(0);
    s.close();
  });

  it('continues Optuna studies: numbers go on, WAITING trials run first, the file stays Optuna-readable', async () => {
    const file = copyReference();
    const study = loadStudy({ studyName: 'ref', storage: new SqliteStorage(file), sampler: new RandomSampler({ seed: 3 }) });
    await study.optimize(
      (trial) => {
        const x = trial.suggestFloat('x', -5, 5);
        trial.suggestCategorical('c', ['adam', 'sgd', null, 3]);
        return x * x;
      },
      { nTrials: 5 },
    );
    expect(study.trials.map((t) => t.number).slice(-5)).toEqual([24, 25, 26, 27, 28]);
    const special = loadStudy({ studyName: 'ref-special', storage: study.storage });
    const waiting = special.ask();
    expect(waiting.number).toBe(6);
    expect(waiting.suggestFloat('u', 0, 1)).toBe(0.75);
    special.tell(waiting, 0.5);
    study.storage.close();
    expect(query(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(query(file, SCHEMA_SQL)).toEqual(query(REFERENCE_DB, SCHEMA_SQL));
    expect(query(file, 'SELECT * FROM alembic_version')).toEqual([{ version_num: 'v3.2.0.a' }]);
    const added = query(file, "SELECT p.distribution_json FROM trial_params p JOIN trials t USING (trial_id) WHERE t.study_id = 1 AND t.number = 24 AND p.param_name = 'c'");
    expect(added).toEqual(query(REFERENCE_DB, "SELECT distribution_json FROM trial_params WHERE trial_id = 1 AND param_name = 'c'"));
  });

  describe('refuses bad files with a clear message and leaves them as they were', () => {
    function expectRefused(file: string, pattern: RegExp, options = {}): void {
      const before = readFileSync(file);
      expect(() => new SqliteStorage(file, options)).toThrow(UsageError);
      expect(() => new SqliteStorage(file, options)).toThrow(pattern);
      expect(readFileSync(file).equals(before)).toBe(true);
    }

    it('a file that is not SQLite', () => {
      const file = join(dir, 'notes.db');
      writeFileSync(file, 'symbol,window\nAAPL,60\n');
      expectRefused(file, /not an SQLite database/);
    });

    it('a corrupt file', () => {
      const file = copyReference();
      const bytes = readFileSync(file);
      bytes.fill(0xa5, 100, 8192); // the schema page and the next
      writeFileSync(file, bytes);
      expectRefused(file, /corrupt|not an SQLite/);
    });

    it('a newer schema version', () => {
      const file = copyReference();
      const db = new Database(file);
      db.prepare("UPDATE alembic_version SET version_num = 'v5.1.0.a'").run();
      db.prepare('UPDATE version_info SET schema_version = 13').run();
      db.close();
      expectRefused(file, /newer version/);
    });

    it('an older Optuna schema', () => {
      const file = copyReference();
      const db = new Database(file);
      db.prepare("UPDATE alembic_version SET version_num = 'v3.0.0.d'").run();
      db.close();
      expectRefused(file, /older Optuna.*optuna storage upgrade/);
    });

    it('an SQLite file of another program', () => {
      const file = join(dir, 'other.db');
      const db = new Database(file);
      db.exec('CREATE TABLE prices (symbol TEXT, close REAL)');
      db.close();
      expectRefused(file, /not a study file/);
    });

    it('a read-only file or folder', () => {
      const file = copyReference();
      chmodSync(file, 0o444);
      expectRefused(file, /read-only/);
      // Reading is fine.
      const ro = new SqliteStorage(file, { readonly: true });
      expect(ro.findStudyId('ref')).not.toBeNull();
      ro.close();
      chmodSync(file, 0o644);
      chmodSync(dir, 0o555);
      try {
        expectRefused(file, /folder .* read-only/);
      } finally {
        chmodSync(dir, 0o755);
      }
    });
  });
});
