/**
 * Optuna's RDB schema as Optuna 4.9 creates it on PostgreSQL, and studyopt's additions in their
 * PostgreSQL form.
 *
 * Optuna builds a fresh database in two steps (optuna/storages/_rdb/storage.py at v4.9.0):
 * `RDBStorage.__init__` runs `models.BaseModel.metadata.create_all(engine)`, then
 * `_VersionManager` inserts the version_info row (`_init_version_info_model`) and stamps the
 * alembic head (`_init_alembic` -> `context.stamp(script, head)`), which creates alembic_version.
 * The migrations under alembic/versions are never run on a fresh database.
 *
 * How this text was obtained: Optuna's models.py at tag v4.9.0 (commit 4db42e31c24b) was compiled
 * by SQLAlchemy 2.0.52 (tag rel_2_0_52, pure Python) with `metadata.create_all` on a mock engine
 * of the `postgresql` dialect (checkfirst off), and every statement it emitted is copied below
 * unchanged, in emission order. The same run against the `sqlite` dialect reproduces
 * OPTUNA_DDL (the schema real Optuna wrote, ../sqlite/schema.ts) byte for byte, so the recipe is
 * checked; the PostgreSQL output itself was not produced by Optuna 4.9 on a real server, but
 * Debian's Optuna 3.1 reads and continues studies written on it (test/storage/optuna-python.test.ts).
 * alembic_version is alembic 1.19.1's
 * `DefaultImpl.version_table_impl` (alembic/ddl/impl.py), compiled the same way.
 * docs/storage-postgres-schema.md has the type mapping.
 *
 * What is read and what is inferred:
 * - Read (models.py, SQLAlchemy output): table, column, type, NOT NULL, PRIMARY KEY, UNIQUE,
 *   FOREIGN KEY, CHECK; the enum type names (SQLAlchemy `Enum._enum_init`:
 *   `enum_class.__name__.lower()`, sql/sqltypes.py) and their labels (member names, in
 *   declaration order, NOT_SET included); the index names `ix_studies_study_name` and
 *   `ix_trials_study_id` (SQLAlchemy's default naming convention `ix_%(column_0_label)s`);
 *   `alembic_version_pkc` (alembic names it `f"{version_table}_pkc"`).
 * - Inferred (Optuna's metadata has no naming convention, so SQLAlchemy sends these constraints
 *   unnamed and PostgreSQL names them; the PostgreSQL rules, checked by
 *   test/storage/postgres-schema.test.ts on the test server): primary keys `<table>_pkey`;
 *   unique constraints `<table>_<col>[_<col>]_key` (e.g. `study_directions_study_id_objective_key`);
 *   foreign keys `<table>_<col>_fkey`; the check `version_info_version_info_id_check`; and for each
 *   SERIAL column a sequence `<table>_<col>_seq` OWNED BY it with `nextval(...)` as the default.
 *   Constraint names longer than 63 bytes would be truncated; none is.
 * - Only on a fresh database: a database that reached v3.2.0.a through Optuna's migrations differs
 *   (its trials index is `trials_study_id_key`, from v3.2.0.a_.py's `op.create_index`, not
 *   `ix_trials_study_id`; older migrations named other constraints). Readers must not rely on
 *   constraint or index names.
 */
import { OPTUNA_ALEMBIC_HEAD, OPTUNA_LIBRARY_VERSION, OPTUNA_SCHEMA_VERSION, OPTUNA_TABLES } from '../sqlite/schema.js';

export { OPTUNA_ALEMBIC_HEAD, OPTUNA_LIBRARY_VERSION, OPTUNA_SCHEMA_VERSION, OPTUNA_TABLES };

/**
 * The native ENUM types `create_all` makes before the tables, in that order: name -> labels.
 * Labels are the Python enum member *names* (SQLAlchemy's default; Optuna passes no
 * `values_callable`), in declaration order. pg_enum keeps that order (enumsortorder), so
 * `ORDER BY state` sorts RUNNING < COMPLETE < PRUNED < FAIL < WAITING, not alphabetically.
 */
export const POSTGRES_ENUM_TYPES: Readonly<Record<string, readonly string[]>> = {
  // optuna/study/_study_direction.py `StudyDirection(enum.IntEnum)`: NOT_SET=0, MINIMIZE=1, MAXIMIZE=2.
  studydirection: ['NOT_SET', 'MINIMIZE', 'MAXIMIZE'],
  // optuna/trial/_state.py `TrialState(enum.IntEnum)`: RUNNING=0, COMPLETE=1, PRUNED=2, FAIL=3, WAITING=4.
  trialstate: ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'],
  // models.py `TrialValueModel.TrialValueType(enum.Enum)` (nested class; the type is named after the class alone).
  trialvaluetype: ['FINITE', 'INF_POS', 'INF_NEG'],
  // models.py `TrialIntermediateValueModel.TrialIntermediateValueType(enum.Enum)`.
  trialintermediatevaluetype: ['FINITE', 'INF_POS', 'INF_NEG', 'NAN'],
};

/**
 * Optuna's types, tables and indexes, statement by statement, byte for byte as SQLAlchemy 2.0.52
 * emits them for Optuna 4.9's models on PostgreSQL, in that order, then alembic's version table.
 * For an empty database only (no IF NOT EXISTS, as Optuna's own checkfirst happens before it
 * sends each statement): run them in one transaction (PostgreSQL's DDL is transactional), under
 * a lock if several processes may create the schema at once, then POSTGRES_VERSION_ROWS.
 */
export const POSTGRES_DDL: readonly string[] = [
  "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE')",
  "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING')",
  "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG')",
  "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')",
  // models.py `StudyModel` (__tablename__ "studies"): study_name `index=True, unique=True` is a unique
  // index, not a UNIQUE constraint. Inferred: studies_pkey, studies_study_id_seq.
  "CREATE TABLE studies (\n\tstudy_id SERIAL NOT NULL, \n\tstudy_name VARCHAR(512) NOT NULL, \n\tPRIMARY KEY (study_id)\n)",
  "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
  // models.py `VersionInfoModel`: version_info_id is `autoincrement=False, default=1`, so INTEGER, not
  // SERIAL (no sequence); `CheckConstraint("version_info_id=1")`. Inferred: version_info_pkey,
  // version_info_version_info_id_check.
  "CREATE TABLE version_info (\n\tversion_info_id INTEGER NOT NULL, \n\tschema_version INTEGER, \n\tlibrary_version VARCHAR(256), \n\tPRIMARY KEY (version_info_id), \n\tCHECK (version_info_id=1)\n)",
  // models.py `StudyDirectionModel`. Inferred: study_directions_pkey, study_directions_study_id_objective_key,
  // study_directions_study_id_fkey, study_directions_study_direction_id_seq.
  "CREATE TABLE study_directions (\n\tstudy_direction_id SERIAL NOT NULL, \n\tdirection studydirection NOT NULL, \n\tstudy_id INTEGER NOT NULL, \n\tobjective INTEGER NOT NULL, \n\tPRIMARY KEY (study_direction_id), \n\tUNIQUE (study_id, objective), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  // models.py `StudyUserAttributeModel`. `key` is not reserved on PostgreSQL, so SQLAlchemy does not
  // quote it (it does on SQLite). Inferred: study_user_attributes_pkey, _study_id_key_key, _study_id_fkey.
  "CREATE TABLE study_user_attributes (\n\tstudy_user_attribute_id SERIAL NOT NULL, \n\tstudy_id INTEGER, \n\tkey VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (study_user_attribute_id), \n\tUNIQUE (study_id, key), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  // models.py `StudySystemAttributeModel`. Inferred names as for study_user_attributes.
  "CREATE TABLE study_system_attributes (\n\tstudy_system_attribute_id SERIAL NOT NULL, \n\tstudy_id INTEGER, \n\tkey VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (study_system_attribute_id), \n\tUNIQUE (study_id, key), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  // models.py `TrialModel`: no unique constraint on number (Optuna's comment there); study_id `index=True`.
  // Inferred: trials_pkey, trials_study_id_fkey, trials_trial_id_seq.
  "CREATE TABLE trials (\n\ttrial_id SERIAL NOT NULL, \n\tnumber INTEGER, \n\tstudy_id INTEGER, \n\tstate trialstate NOT NULL, \n\tdatetime_start TIMESTAMP WITHOUT TIME ZONE, \n\tdatetime_complete TIMESTAMP WITHOUT TIME ZONE, \n\tPRIMARY KEY (trial_id), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  "CREATE INDEX ix_trials_study_id ON trials (study_id)",
  // models.py `TrialUserAttributeModel`. Inferred: trial_user_attributes_pkey, _trial_id_key_key, _trial_id_fkey.
  "CREATE TABLE trial_user_attributes (\n\ttrial_user_attribute_id SERIAL NOT NULL, \n\ttrial_id INTEGER, \n\tkey VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (trial_user_attribute_id), \n\tUNIQUE (trial_id, key), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  // models.py `TrialSystemAttributeModel`. Inferred names as for trial_user_attributes.
  "CREATE TABLE trial_system_attributes (\n\ttrial_system_attribute_id SERIAL NOT NULL, \n\ttrial_id INTEGER, \n\tkey VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (trial_system_attribute_id), \n\tUNIQUE (trial_id, key), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  // models.py `TrialParamModel`: `Float(precision=FLOAT_PRECISION)` (53) renders FLOAT(53), which
  // PostgreSQL stores as double precision. Inferred: trial_params_pkey, trial_params_trial_id_param_name_key,
  // trial_params_trial_id_fkey, trial_params_param_id_seq.
  "CREATE TABLE trial_params (\n\tparam_id SERIAL NOT NULL, \n\ttrial_id INTEGER, \n\tparam_name VARCHAR(512), \n\tparam_value FLOAT(53), \n\tdistribution_json TEXT, \n\tPRIMARY KEY (param_id), \n\tUNIQUE (trial_id, param_name), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  // models.py `TrialValueModel`: value `Float(precision=FLOAT_PRECISION), nullable=True` (NULL for ±inf).
  // Inferred: trial_values_pkey, trial_values_trial_id_objective_key, trial_values_trial_id_fkey.
  "CREATE TABLE trial_values (\n\ttrial_value_id SERIAL NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n\tobjective INTEGER NOT NULL, \n\tvalue FLOAT(53), \n\tvalue_type trialvaluetype NOT NULL, \n\tPRIMARY KEY (trial_value_id), \n\tUNIQUE (trial_id, objective), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  // models.py `TrialIntermediateValueModel`. Inferred: trial_intermediate_values_pkey,
  // trial_intermediate_values_trial_id_step_key, trial_intermediate_values_trial_id_fkey.
  "CREATE TABLE trial_intermediate_values (\n\ttrial_intermediate_value_id SERIAL NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n\tstep INTEGER NOT NULL, \n\tintermediate_value FLOAT(53), \n\tintermediate_value_type trialintermediatevaluetype NOT NULL, \n\tPRIMARY KEY (trial_intermediate_value_id), \n\tUNIQUE (trial_id, step), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  // models.py `TrialHeartbeatModel`: heartbeat `default=func.current_timestamp()` is a client-side
  // default (sent in Optuna's INSERT), so the column has no DEFAULT. No migration creates this table:
  // only create_all does. Inferred: trial_heartbeats_pkey, trial_heartbeats_trial_id_key, trial_heartbeats_trial_id_fkey.
  "CREATE TABLE trial_heartbeats (\n\ttrial_heartbeat_id SERIAL NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n\theartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL, \n\tPRIMARY KEY (trial_heartbeat_id), \n\tUNIQUE (trial_id), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  // Not a model: alembic's version table (alembic/ddl/impl.py `version_table_impl`), created by the stamp.
  "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",
];

/**
 * The rows Optuna writes into a fresh database, as node-postgres queries: version_info by
 * `_init_version_info_model` (id 1 from the column's client-side default), alembic_version by the stamp.
 */
export const POSTGRES_VERSION_ROWS: readonly { readonly text: string; readonly values: readonly (string | number)[] }[] = [
  {
    text: 'INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, $1, $2)',
    values: [OPTUNA_SCHEMA_VERSION, OPTUNA_LIBRARY_VERSION],
  },
  { text: 'INSERT INTO alembic_version (version_num) VALUES ($1)', values: [OPTUNA_ALEMBIC_HEAD] },
];

/**
 * studyopt's additions (the PostgreSQL form of STUDYOPT_DDL followed by STUDYOPT_ADDED_COLUMNS in
 * ../sqlite/schema.ts), idempotent, to run after POSTGRES_DDL on every open that may write.
 * Optuna neither reads nor checks them: create_all only looks for its own tables and types, and
 * alembic only compares the revision.
 *
 * Decisions (not Optuna's, so nothing to read):
 * - studyopt_trial_owners.trial_id has no foreign key to trials, as on SQLite: Optuna deletes a
 *   study's trials itself (ORM cascades) and knows nothing of this table, so a foreign key would make
 *   Optuna's `delete_study` fail on a study that has owner rows.
 * - `since` is TIMESTAMP WITHOUT TIME ZONE holding UTC, like trial_heartbeats.heartbeat, instead of
 *   SQLite's TEXT; the text SQLite stores ('YYYY-MM-DD HH:MM:SS.ffffff') is valid input for it.
 *   node-postgres parses this type (OID 1114) as *local* time into a Date: read it as `since::text`
 *   or install a type parser.
 */
export const POSTGRES_STUDYOPT_DDL: readonly string[] = [
  // Which process runs a RUNNING trial (see STUDYOPT_DDL). Inferred: studyopt_trial_owners_pkey.
  'CREATE TABLE IF NOT EXISTS studyopt_trial_owners (trial_id INTEGER NOT NULL PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, since TIMESTAMP WITHOUT TIME ZONE)',
  // STUDYOPT_ADDED_COLUMNS: for tables created before the column existed.
  'ALTER TABLE studyopt_trial_owners ADD COLUMN IF NOT EXISTS since TIMESTAMP WITHOUT TIME ZONE',
  // `best` on a study of millions of trials: walk the values in order instead of sorting them all.
  'CREATE INDEX IF NOT EXISTS studyopt_ix_trial_values_objective_type_value ON trial_values (objective, value_type, value)',
  // Per-state counts as an index scan.
  'CREATE INDEX IF NOT EXISTS studyopt_ix_trials_study_id_state ON trials (study_id, state)',
];
