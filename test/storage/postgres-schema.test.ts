/**
 * Optuna's schema on PostgreSQL (src/storage/postgres/schema.ts) on the test run's own server:
 * applied to a fresh database, the catalog must hold every table and column of the SQLite schema
 * Optuna 4.9 wrote (OPTUNA_DDL, pinned to the reference file by optuna-compat.test.ts) with the
 * PostgreSQL type SQLAlchemy gives it, the native enum types with Optuna's labels, and the
 * constraints, indexes and sequences create_all makes, under the names PostgreSQL gives them;
 * then rows written the way Optuna writes them read back.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  OPTUNA_ALEMBIC_HEAD,
  OPTUNA_LIBRARY_VERSION,
  OPTUNA_SCHEMA_VERSION,
  OPTUNA_TABLES,
  POSTGRES_DDL,
  POSTGRES_ENUM_TYPES,
  POSTGRES_STUDYOPT_DDL,
  POSTGRES_VERSION_ROWS,
} from '../../src/storage/postgres/schema.js';
import * as sqliteSchema from '../../src/storage/sqlite/schema.js';
import { OPTUNA_DDL, STUDYOPT_ADDED_COLUMNS, STUDYOPT_DDL } from '../../src/storage/sqlite/schema.js';
import { createDatabase } from '../helpers/postgres.js';

const sharedUrl = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');

/** Optuna's `Enum(...)` columns: VARCHAR(n) on SQLite, a native enum type on PostgreSQL. */
const ENUM_COLUMNS: Record<string, string> = {
  'study_directions.direction': 'studydirection',
  'trials.state': 'trialstate',
  'trial_values.value_type': 'trialvaluetype',
  'trial_intermediate_values.intermediate_value_type': 'trialintermediatevaluetype',
};
/** studyopt's own choices where the PostgreSQL form is not the SQLite type's plain counterpart. */
const STUDYOPT_COLUMNS: Record<string, string> = { 'studyopt_trial_owners.since': 'timestamp without time zone' };

/** What SQLAlchemy's generic type (as declared in the SQLite DDL) becomes on PostgreSQL (format_type). */
function postgresType(table: string, column: string, sqliteType: string): string {
  const key = `${table}.${column}`;
  if (key in ENUM_COLUMNS) return ENUM_COLUMNS[key];
  if (key in STUDYOPT_COLUMNS) return STUDYOPT_COLUMNS[key];
  const varchar = /^VARCHAR\((\d+)\)$/.exec(sqliteType);
  if (varchar) return `character varying(${varchar[1]})`;
  const plain: Record<string, string> = {
    INTEGER: 'integer',
    TEXT: 'text',
    FLOAT: 'double precision', // Float(precision=53): FLOAT(53)
    DATETIME: 'timestamp without time zone',
  };
  if (!(sqliteType in plain)) throw new Error(`no PostgreSQL mapping for ${key} ${sqliteType}`);
  return plain[sqliteType];
}

interface SqliteColumn {
  table: string;
  column: string;
  type: string;
  notnull: boolean;
  pk: boolean;
}

/** The SQLite schema as studyopt writes it (Optuna's DDL, then studyopt's), column by column. */
function sqliteColumns(): SqliteColumn[] {
  const db = new Database(':memory:');
  try {
    for (const sql of [...OPTUNA_DDL, ...STUDYOPT_DDL]) db.exec(sql);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    return tables.flatMap((table) =>
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number; pk: number }[]).map((c) => ({
        table,
        column: c.name,
        type: c.type,
        notnull: c.notnull === 1,
        pk: c.pk > 0,
      })),
    );
  } finally {
    db.close();
  }
}

/** Tables with a SERIAL primary key: every Optuna model but VersionInfoModel (autoincrement=False). */
const SERIAL_KEYS: Record<string, string> = {
  studies: 'study_id',
  study_directions: 'study_direction_id',
  study_user_attributes: 'study_user_attribute_id',
  study_system_attributes: 'study_system_attribute_id',
  trials: 'trial_id',
  trial_user_attributes: 'trial_user_attribute_id',
  trial_system_attributes: 'trial_system_attribute_id',
  trial_params: 'param_id',
  trial_values: 'trial_value_id',
  trial_intermediate_values: 'trial_intermediate_value_id',
  trial_heartbeats: 'trial_heartbeat_id',
};

describe.skipIf(sharedUrl === null)(`Optuna's schema on PostgreSQL${sharedUrl === null ? ` (skipped: ${skipReason})` : ''}`, () => {
  let client: pg.Client;

  const rows = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await client.query<T>(text, values)).rows;

  beforeAll(async () => {
    const url = await createDatabase(sharedUrl!, 'postgres_schema_test');
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    await client.query('BEGIN');
    for (const sql of POSTGRES_DDL) await client.query(sql);
    for (const row of POSTGRES_VERSION_ROWS) await client.query(row.text, [...row.values]);
    for (const sql of POSTGRES_STUDYOPT_DDL) await client.query(sql);
    await client.query('COMMIT');
    // studyopt's part runs on every open: it must be idempotent.
    for (const sql of POSTGRES_STUDYOPT_DDL) await client.query(sql);
  });
  afterAll(async () => {
    await client?.end();
  });

  it('re-uses the SQLite schema module’s version constants', () => {
    expect(OPTUNA_SCHEMA_VERSION).toBe(sqliteSchema.OPTUNA_SCHEMA_VERSION);
    expect(OPTUNA_ALEMBIC_HEAD).toBe(sqliteSchema.OPTUNA_ALEMBIC_HEAD);
    expect(OPTUNA_LIBRARY_VERSION).toBe(sqliteSchema.OPTUNA_LIBRARY_VERSION);
    expect(OPTUNA_TABLES).toBe(sqliteSchema.OPTUNA_TABLES);
  });

  it('has every table and column of the SQLite schema, with the PostgreSQL type, nullability and key', async () => {
    const expected = sqliteColumns();
    const actual = await rows<{ table: string; column: string; type: string; notnull: boolean; pk: boolean }>(
      `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey)) AS pk
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
    );
    expect(actual).toEqual(
      expected.map((c) => ({ table: c.table, column: c.column, type: postgresType(c.table, c.column, c.type), notnull: c.notnull, pk: c.pk })),
    );
    // Nothing more, nothing less: Optuna's 13 tables and studyopt's one.
    expect(new Set(actual.map((c) => c.table))).toEqual(new Set([...OPTUNA_TABLES, 'studyopt_trial_owners']));
  });

  it('spells the types as information_schema reports them (what SQLAlchemy reflects)', async () => {
    const cols = await rows<{ table_name: string; column_name: string; data_type: string; udt_name: string; character_maximum_length: number | null }>(
      `SELECT table_name, column_name, data_type, udt_name, character_maximum_length FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('trials', 'trial_values', 'trial_params', 'studies')
        ORDER BY table_name, ordinal_position`,
    );
    const by = (t: string, c: string) => cols.find((r) => r.table_name === t && r.column_name === c);
    expect(by('trials', 'state')).toMatchObject({ data_type: 'USER-DEFINED', udt_name: 'trialstate' });
    expect(by('trials', 'datetime_start')).toMatchObject({ data_type: 'timestamp without time zone' });
    expect(by('trial_values', 'value')).toMatchObject({ data_type: 'double precision', udt_name: 'float8' });
    expect(by('trial_params', 'param_value')).toMatchObject({ data_type: 'double precision', udt_name: 'float8' });
    expect(by('studies', 'study_name')).toMatchObject({ data_type: 'character varying', character_maximum_length: 512 });
  });

  it('has the native enum types with Optuna’s member names as labels, in declaration order', async () => {
    const labels = await rows<{ type: string; label: string }>(
      `SELECT t.typname AS type, e.enumlabel AS label FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
    );
    const got: Record<string, string[]> = {};
    for (const r of labels) (got[r.type] ??= []).push(r.label);
    expect(got).toEqual(POSTGRES_ENUM_TYPES);
    expect(POSTGRES_ENUM_TYPES).toEqual({
      studydirection: ['NOT_SET', 'MINIMIZE', 'MAXIMIZE'],
      trialstate: ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'],
      trialvaluetype: ['FINITE', 'INF_POS', 'INF_NEG'],
      trialintermediatevaluetype: ['FINITE', 'INF_POS', 'INF_NEG', 'NAN'],
    });
  });

  it('has the constraints create_all makes, named as PostgreSQL names them', async () => {
    const constraints = await rows<{ table: string; name: string; def: string }>(
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f', 'c') ORDER BY 1, 2`,
    );
    expect(constraints).toEqual([
      { table: 'alembic_version', name: 'alembic_version_pkc', def: 'PRIMARY KEY (version_num)' },
      { table: 'studies', name: 'studies_pkey', def: 'PRIMARY KEY (study_id)' },
      { table: 'study_directions', name: 'study_directions_pkey', def: 'PRIMARY KEY (study_direction_id)' },
      { table: 'study_directions', name: 'study_directions_study_id_fkey', def: 'FOREIGN KEY (study_id) REFERENCES studies(study_id)' },
      { table: 'study_directions', name: 'study_directions_study_id_objective_key', def: 'UNIQUE (study_id, objective)' },
      { table: 'study_system_attributes', name: 'study_system_attributes_pkey', def: 'PRIMARY KEY (study_system_attribute_id)' },
      { table: 'study_system_attributes', name: 'study_system_attributes_study_id_fkey', def: 'FOREIGN KEY (study_id) REFERENCES studies(study_id)' },
      { table: 'study_system_attributes', name: 'study_system_attributes_study_id_key_key', def: 'UNIQUE (study_id, key)' },
      { table: 'study_user_attributes', name: 'study_user_attributes_pkey', def: 'PRIMARY KEY (study_user_attribute_id)' },
      { table: 'study_user_attributes', name: 'study_user_attributes_study_id_fkey', def: 'FOREIGN KEY (study_id) REFERENCES studies(study_id)' },
      { table: 'study_user_attributes', name: 'study_user_attributes_study_id_key_key', def: 'UNIQUE (study_id, key)' },
      { table: 'studyopt_trial_owners', name: 'studyopt_trial_owners_pkey', def: 'PRIMARY KEY (trial_id)' },
      { table: 'trial_heartbeats', name: 'trial_heartbeats_pkey', def: 'PRIMARY KEY (trial_heartbeat_id)' },
      { table: 'trial_heartbeats', name: 'trial_heartbeats_trial_id_fkey', def: 'FOREIGN KEY (trial_id) REFERENCES trials(trial_id)' },
      { table: 'trial_heartbeats', name: 'trial_heartbeats_trial_id_key', def: 'UNIQUE (trial_id)' },
      { table: 'trial_intermediate_values', name: 'trial_intermediate_values_pkey', def: 'PRIMARY KEY (trial_intermediate_value_id)' },
      { table: 'trial_intermediate_values', name: 'trial_intermediate_values_trial_id_fkey', def: 'FOREIGN KEY (trial_id) REFERENCES trials(trial_id)' },
      { table: 'trial_intermediate_values', name: 'trial_intermediate_values_trial_id_step_key', def: 'UNIQUE (trial_id, step)' },
      { table: 'trial_params', name: 'trial_params_pkey', def: 'PRIMARY KEY (param_id)' },
      { table: 'trial_params', name: 'trial_params_trial_id_fkey', def: 'FOREIGN KEY (trial_id) REFERENCES trials(trial_id)' },
      { table: 'trial_params', name: 'trial_params_trial_id_param_name_key', def: 'UNIQUE (trial_id, param_name)' },
      { table: 'trial_system_attributes', name: 'trial_system_attributes_pkey', def: 'PRIMARY KEY (trial_system_attribute_id)' },
      { table: 'trial_system_attributes', name: 'trial_system_attributes_trial_id_fkey', def: 'FOREIGN KEY (trial_id) REFERENCES trials(trial_id)' },
      { table: 'trial_system_attributes', name: 'trial_system_attributes_trial_id_key_key', def: 'UNIQUE (trial_id, key)' },
      { table: 'trial_user_attributes', name: 'trial_user_attributes_pkey', def: 'PRIMARY KEY (trial_user_attribute_id)' },
      { table: 'trial_user_attributes', name: 'trial_user_attributes_trial_id_fkey', def: 'FOREIGN KEY (trial_id) REFERENCES trials(trial_id)' },
      { table: 'trial_user_attributes', name: 'trial_user_attributes_trial_id_key_key', def: 'UNIQUE (trial_id, key)' },
      { table: 'trial_values', name: 'trial_values_pkey', def: 'PRIMARY KEY (trial_value_id)' },
      { table: 'trial_values', name: 'trial_values_trial_id_fkey', def: 'FOREIGN KEY (trial_id) REFERENCES trials(trial_id)' },
      { table: 'trial_values', name: 'trial_values_trial_id_objective_key', def: 'UNIQUE (trial_id, objective)' },
      { table: 'trials', name: 'trials_pkey', def: 'PRIMARY KEY (trial_id)' },
      { table: 'trials', name: 'trials_study_id_fkey', def: 'FOREIGN KEY (study_id) REFERENCES studies(study_id)' },
      { table: 'version_info', name: 'version_info_pkey', def: 'PRIMARY KEY (version_info_id)' },
      { table: 'version_info', name: 'version_info_version_info_id_check', def: 'CHECK ((version_info_id = 1))' },
    ]);
  });

  it('has the named indexes: Optuna’s two and studyopt’s two (the rest back the keys above)', async () => {
    const indexes = await rows<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))
        ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { name: 'ix_studies_study_name', def: 'CREATE UNIQUE INDEX ix_studies_study_name ON public.studies USING btree (study_name)' },
      { name: 'ix_trials_study_id', def: 'CREATE INDEX ix_trials_study_id ON public.trials USING btree (study_id)' },
      {
        name: 'studyopt_ix_trial_values_objective_type_value',
        def: 'CREATE INDEX studyopt_ix_trial_values_objective_type_value ON public.trial_values USING btree (objective, value_type, value)',
      },
      { name: 'studyopt_ix_trials_study_id_state', def: 'CREATE INDEX studyopt_ix_trials_study_id_state ON public.trials USING btree (study_id, state)' },
    ]);
    // Every primary key and unique constraint has its index of the same name.
    const [{ missing }] = await rows<{ missing: string }>(
      `SELECT count(*)::int AS missing FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.contype IN ('p', 'u')
          AND NOT EXISTS (SELECT 1 FROM pg_indexes i WHERE i.schemaname = 'public' AND i.indexname = c.conname)`,
    );
    expect(missing).toBe(0);
  });

  it('gives every Optuna id column but version_info’s a SERIAL sequence <table>_<column>_seq', async () => {
    const serials = await rows<{ table: string; column: string; seq: string | null; def: string | null }>(
      `SELECT c.relname AS table, a.attname AS column, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq,
              pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
         JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey)
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
    );
    const expected: { table: string; column: string; seq: string | null; def: string | null }[] = Object.entries(SERIAL_KEYS).map(
      ([table, column]) => ({ table, column, seq: `public.${table}_${column}_seq`, def: `nextval('${table}_${column}_seq'::regclass)` }),
    );
    // Plain keys: version_info (autoincrement=False), alembic's VARCHAR key, studyopt's trial id.
    expected.push(
      { table: 'alembic_version', column: 'version_num', seq: null, def: null },
      { table: 'studyopt_trial_owners', column: 'trial_id', seq: null, def: null },
      { table: 'version_info', column: 'version_info_id', seq: null, def: null },
    );
    expect(serials).toEqual(expected.sort((a, b) => (a.table < b.table ? -1 : 1)));
    const sequences = await rows<{ name: string; type: string }>(
      "SELECT sequencename AS name, data_type::text AS type FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
    );
    expect(sequences).toEqual(Object.entries(SERIAL_KEYS).map(([t, c]) => ({ name: `${t}_${c}_seq`, type: 'integer' })).sort((a, b) => (a.name < b.name ? -1 : 1)));
  });

  it('holds the version rows Optuna writes', async () => {
    expect(await rows('SELECT * FROM version_info')).toEqual([{ version_info_id: 1, schema_version: 12, library_version: '4.9.0' }]);
    expect(await rows('SELECT * FROM alembic_version')).toEqual([{ version_num: 'v3.2.0.a' }]);
    await expect(client.query("INSERT INTO version_info VALUES (2, 12, 'x')")).rejects.toMatchObject({ code: '23514' });
  });

  it('carries studyopt’s SQLite additions over: every object and every added column', () => {
    const pgText = POSTGRES_STUDYOPT_DDL.join('\n');
    for (const sql of STUDYOPT_DDL) {
      const name = /(?:TABLE|INDEX) IF NOT EXISTS (\w+)/.exec(sql)?.[1];
      expect(name, sql).toBeDefined();
      expect(pgText).toContain(` ${name} `);
    }
    for (const [table, column] of STUDYOPT_ADDED_COLUMNS) {
      expect(pgText).toMatch(new RegExp(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} `));
    }
  });

  it('adds studyopt’s added columns to a table made before them', async () => {
    await client.query('BEGIN');
    try {
      await client.query('ALTER TABLE studyopt_trial_owners DROP COLUMN since');
      for (const sql of POSTGRES_STUDYOPT_DDL) await client.query(sql);
      const cols = await rows<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'studyopt_trial_owners' ORDER BY ordinal_position",
      );
      expect(cols.map((c) => c.column_name)).toEqual(['trial_id', 'host', 'pid', 'since']);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('stores a study the way Optuna writes one, and reads it back', async () => {
    await client.query('BEGIN');
    // Ids come from the sequences (Optuna's INSERT ... RETURNING), never from the writer.
    const [{ study_id: studyId }] = await rows<{ study_id: number }>("INSERT INTO studies (study_name) VALUES ('pg-ref') RETURNING study_id");
    await client.query("INSERT INTO study_directions (direction, study_id, objective) VALUES ('MINIMIZE', $1, 0), ('MAXIMIZE', $1, 1)", [studyId]);
    await client.query("INSERT INTO study_system_attributes (study_id, key, value_json) VALUES ($1, 'study:metric_names', $2)", [studyId, '["loss", "acc"]']);
    await client.query("INSERT INTO study_user_attributes (study_id, key, value_json) VALUES ($1, 'symbol', '\"AAPL\"')", [studyId]);
    // Optuna locks the study row, counts earlier trials for `number`, inserts RUNNING.
    await client.query('SELECT study_id FROM studies WHERE study_id = $1 FOR UPDATE', [studyId]);
    const [{ trial_id: trialId }] = await rows<{ trial_id: number }>(
      "INSERT INTO trials (number, study_id, state, datetime_start) VALUES (0, $1, 'RUNNING', '2026-01-01 09:30:00.123456') RETURNING trial_id",
      [studyId],
    );
    const x = 0.1 + 0.2; // 0.30000000000000004: FLOAT(53) keeps every bit
    await client.query(
      `INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES
         ($1, 'x', $2, '{"name": "FloatDistribution", "attributes": {"step": null, "low": -5.0, "high": 5.0, "log": false}}'),
         ($1, 'n', 6.0, '{"name": "IntDistribution", "attributes": {"log": false, "step": 1, "low": 1, "high": 10}}'),
         ($1, 'c', 2.0, '{"name": "CategoricalDistribution", "attributes": {"choices": ["adam", "sgd", null, 3]}}')`,
      [trialId, x],
    );
    await client.query("INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ($1, CURRENT_TIMESTAMP)", [trialId]);
    await client.query("INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) VALUES ($1, 0, 1.5, 'FINITE'), ($1, 1, NULL, 'NAN')", [trialId]);
    await client.query("INSERT INTO trial_user_attributes (trial_id, key, value_json) VALUES ($1, 'note', '\"trial 0\"')", [trialId]);
    await client.query("INSERT INTO trial_system_attributes (trial_id, key, value_json) VALUES ($1, 'constraints', '[0.0, -1.0]')", [trialId]);
    await client.query("INSERT INTO studyopt_trial_owners (trial_id, host, pid, since) VALUES ($1, 'host-a', 4242, '2026-01-01 08:30:00.000000')", [trialId]);
    // tell(): values, then the state and completion time; the heartbeat and owner rows go.
    await client.query("INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES ($1, 0, $2, 'FINITE'), ($1, 1, NULL, 'INF_POS')", [trialId, x]);
    await client.query("UPDATE trials SET state = 'COMPLETE', datetime_complete = '2026-01-01 09:30:01.000001' WHERE trial_id = $1", [trialId]);
    // A second trial, failed: no values.
    await client.query("INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) VALUES (1, $1, 'FAIL', '2026-01-01 09:31:00', '2026-01-01 09:31:02')", [studyId]);
    await client.query('COMMIT');

    expect(await rows('SELECT s.study_name, d.direction, d.objective FROM studies s JOIN study_directions d USING (study_id) ORDER BY d.study_direction_id')).toEqual([
      { study_name: 'pg-ref', direction: 'MINIMIZE', objective: 0 },
      { study_name: 'pg-ref', direction: 'MAXIMIZE', objective: 1 },
    ]);
    expect(await rows('SELECT key, value_json FROM study_system_attributes UNION ALL SELECT key, value_json FROM study_user_attributes ORDER BY 1')).toEqual([
      { key: 'study:metric_names', value_json: '["loss", "acc"]' },
      { key: 'symbol', value_json: '"AAPL"' },
    ]);
    // Timestamps as text: node-postgres would turn them into local-time Dates.
    expect(
      await rows('SELECT number, state, datetime_start::text AS start, datetime_complete::text AS complete FROM trials WHERE study_id = $1 ORDER BY number', [studyId]),
    ).toEqual([
      { number: 0, state: 'COMPLETE', start: '2026-01-01 09:30:00.123456', complete: '2026-01-01 09:30:01.000001' },
      { number: 1, state: 'FAIL', start: '2026-01-01 09:31:00', complete: '2026-01-01 09:31:02' },
    ]);
    const params = await rows<{ param_name: string; param_value: number; distribution_json: string }>(
      'SELECT param_name, param_value, distribution_json FROM trial_params WHERE trial_id = $1 ORDER BY param_id',
      [trialId],
    );
    expect(params.map((p) => [p.param_name, p.param_value])).toEqual([['x', x], ['n', 6], ['c', 2]]);
    expect(JSON.parse(params[2].distribution_json)).toEqual({ name: 'CategoricalDistribution', attributes: { choices: ['adam', 'sgd', null, 3] } });
    expect(await rows('SELECT objective, value, value_type FROM trial_values WHERE trial_id = $1 ORDER BY objective', [trialId])).toEqual([
      { objective: 0, value: x, value_type: 'FINITE' },
      { objective: 1, value: null, value_type: 'INF_POS' },
    ]);
    expect(await rows('SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values WHERE trial_id = $1 ORDER BY step', [trialId])).toEqual([
      { step: 0, intermediate_value: 1.5, intermediate_value_type: 'FINITE' },
      { step: 1, intermediate_value: null, intermediate_value_type: 'NAN' },
    ]);
    expect(await rows('SELECT key, value_json FROM trial_user_attributes UNION ALL SELECT key, value_json FROM trial_system_attributes ORDER BY 1')).toEqual([
      { key: 'constraints', value_json: '[0.0, -1.0]' },
      { key: 'note', value_json: '"trial 0"' },
    ]);
    const [hb] = await rows<{ age: number }>(
      "SELECT extract(epoch FROM (CURRENT_TIMESTAMP::timestamp - heartbeat))::float8 AS age FROM trial_heartbeats WHERE trial_id = $1",
      [trialId],
    );
    expect(Math.abs(hb.age)).toBeLessThan(600);
    expect(await rows('SELECT host, pid, since::text AS since FROM studyopt_trial_owners WHERE trial_id = $1', [trialId])).toEqual([
      { host: 'host-a', pid: 4242, since: '2026-01-01 08:30:00' },
    ]);
    // Per-state counts and best value, the queries studyopt's indexes serve; enum order is declaration order.
    expect(await rows("SELECT state, count(*)::int AS n FROM trials WHERE study_id = $1 GROUP BY state ORDER BY state", [studyId])).toEqual([
      { state: 'COMPLETE', n: 1 },
      { state: 'FAIL', n: 1 },
    ]);
  });

  it('refuses what Optuna’s constraints refuse', async () => {
    const [{ study_id: studyId }] = await rows<{ study_id: number }>("INSERT INTO studies (study_name) VALUES ('pg-refuse') RETURNING study_id");
    const [{ trial_id: trialId }] = await rows<{ trial_id: number }>("INSERT INTO trials (number, study_id, state) VALUES (0, $1, 'WAITING') RETURNING trial_id", [studyId]);
    const refused = async (sql: string, values: unknown[], code: string) => expect(client.query(sql, values)).rejects.toMatchObject({ code });
    // Enum labels are the member names, case and all (22P02: invalid input value for enum).
    await refused("INSERT INTO study_directions (direction, study_id, objective) VALUES ('minimize', $1, 0)", [studyId], '22P02');
    await refused("UPDATE trials SET state = 'DONE' WHERE trial_id = $1", [trialId], '22P02');
    await refused("INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES ($1, 0, NULL, 'NAN')", [trialId], '22P02');
    // Unique: study names (the unique index), one row per (trial, param), one heartbeat per trial.
    await refused("INSERT INTO studies (study_name) VALUES ('pg-refuse')", [], '23505');
    await client.query("INSERT INTO trial_params (trial_id, param_name, param_value) VALUES ($1, 'x', 1.0)", [trialId]);
    await refused("INSERT INTO trial_params (trial_id, param_name, param_value) VALUES ($1, 'x', 2.0)", [trialId], '23505');
    await client.query('INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ($1, CURRENT_TIMESTAMP)', [trialId]);
    await refused('INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ($1, CURRENT_TIMESTAMP)', [trialId], '23505');
    // Foreign keys and NOT NULL.
    await refused("INSERT INTO trials (number, study_id, state) VALUES (0, 999999, 'RUNNING')", [], '23503');
    await refused('INSERT INTO trials (number, study_id) VALUES (0, $1)', [studyId], '23502');
    // studyopt's owner rows do not reference trials: Optuna's own deletes must not trip on them.
    await client.query("INSERT INTO studyopt_trial_owners (trial_id, host, pid) VALUES (999999, 'h', 1)");
  });
});
