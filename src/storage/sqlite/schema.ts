/**
 * The on-disk schema: Optuna's RDB schema exactly as Optuna 4.9 creates it in SQLite (the DDL
 * below is the `sqlite_master.sql` text of a file Optuna wrote, in creation order), its version
 * rows, and studyopt's additions, which Optuna ignores: two indexes (for `best` on large studies
 * and for per-state counts) and one table of trial owners (for crash detection on this host).
 */
import type { CompactTables } from '../sql/sql-storage.js';

/** Optuna's `SCHEMA_VERSION` (models.py) and the alembic head it checks for. */
export const OPTUNA_SCHEMA_VERSION = 12;
export const OPTUNA_ALEMBIC_HEAD = 'v3.2.0.a';
/** What we write into version_info.library_version: the Optuna version whose schema we write. */
export const OPTUNA_LIBRARY_VERSION = '4.9.0';

/** Alembic revisions of Optuna, oldest first (optuna/storages/_rdb/alembic/versions). */
export const OPTUNA_ALEMBIC_REVISIONS: readonly string[] = [
  'v0.9.0.a', 'v1.2.0.a', 'v1.3.0.a', 'v2.4.0.a', 'v2.6.0.a', 'v3.0.0.a', 'v3.0.0.b', 'v3.0.0.c', 'v3.0.0.d', 'v3.2.0.a',
];

/** Optuna's tables and indexes, statement by statement, byte for byte as Optuna 4.9 writes them. */
export const OPTUNA_DDL: readonly string[] = [
  "CREATE TABLE studies (\n\tstudy_id INTEGER NOT NULL, \n\tstudy_name VARCHAR(512) NOT NULL, \n\tPRIMARY KEY (study_id)\n)",
  "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
  "CREATE TABLE version_info (\n\tversion_info_id INTEGER NOT NULL, \n\tschema_version INTEGER, \n\tlibrary_version VARCHAR(256), \n\tPRIMARY KEY (version_info_id), \n\tCHECK (version_info_id=1)\n)",
  "CREATE TABLE study_directions (\n\tstudy_direction_id INTEGER NOT NULL, \n\tdirection VARCHAR(8) NOT NULL, \n\tstudy_id INTEGER NOT NULL, \n\tobjective INTEGER NOT NULL, \n\tPRIMARY KEY (study_direction_id), \n\tUNIQUE (study_id, objective), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  "CREATE TABLE study_user_attributes (\n\tstudy_user_attribute_id INTEGER NOT NULL, \n\tstudy_id INTEGER, \n\t\"key\" VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (study_user_attribute_id), \n\tUNIQUE (study_id, \"key\"), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  "CREATE TABLE study_system_attributes (\n\tstudy_system_attribute_id INTEGER NOT NULL, \n\tstudy_id INTEGER, \n\t\"key\" VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (study_system_attribute_id), \n\tUNIQUE (study_id, \"key\"), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  "CREATE TABLE trials (\n\ttrial_id INTEGER NOT NULL, \n\tnumber INTEGER, \n\tstudy_id INTEGER, \n\tstate VARCHAR(8) NOT NULL, \n\tdatetime_start DATETIME, \n\tdatetime_complete DATETIME, \n\tPRIMARY KEY (trial_id), \n\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
  "CREATE INDEX ix_trials_study_id ON trials (study_id)",
  "CREATE TABLE trial_user_attributes (\n\ttrial_user_attribute_id INTEGER NOT NULL, \n\ttrial_id INTEGER, \n\t\"key\" VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (trial_user_attribute_id), \n\tUNIQUE (trial_id, \"key\"), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  "CREATE TABLE trial_system_attributes (\n\ttrial_system_attribute_id INTEGER NOT NULL, \n\ttrial_id INTEGER, \n\t\"key\" VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY (trial_system_attribute_id), \n\tUNIQUE (trial_id, \"key\"), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  "CREATE TABLE trial_params (\n\tparam_id INTEGER NOT NULL, \n\ttrial_id INTEGER, \n\tparam_name VARCHAR(512), \n\tparam_value FLOAT, \n\tdistribution_json TEXT, \n\tPRIMARY KEY (param_id), \n\tUNIQUE (trial_id, param_name), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  "CREATE TABLE trial_values (\n\ttrial_value_id INTEGER NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n\tobjective INTEGER NOT NULL, \n\tvalue FLOAT, \n\tvalue_type VARCHAR(7) NOT NULL, \n\tPRIMARY KEY (trial_value_id), \n\tUNIQUE (trial_id, objective), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  "CREATE TABLE trial_intermediate_values (\n\ttrial_intermediate_value_id INTEGER NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n\tstep INTEGER NOT NULL, \n\tintermediate_value FLOAT, \n\tintermediate_value_type VARCHAR(7) NOT NULL, \n\tPRIMARY KEY (trial_intermediate_value_id), \n\tUNIQUE (trial_id, step), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  "CREATE TABLE trial_heartbeats (\n\ttrial_heartbeat_id INTEGER NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n\theartbeat DATETIME NOT NULL, \n\tPRIMARY KEY (trial_heartbeat_id), \n\tUNIQUE (trial_id), \n\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
  "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",

];

export const OPTUNA_TABLES: readonly string[] = [
  'studies', 'version_info', 'study_directions', 'study_user_attributes', 'study_system_attributes', 'trials',
  'trial_user_attributes', 'trial_system_attributes', 'trial_params', 'trial_values', 'trial_intermediate_values',
  'trial_heartbeats', 'alembic_version',
];

/**
 * studyopt's additions. Every name starts with `studyopt_`, so that they are easy to tell apart
 * from Optuna's; Optuna neither reads nor checks them (alembic only compares the revision).
 */
export const STUDYOPT_DDL: readonly string[] = [
  // Per-state counts (`studyopt studies`) as a covering index scan.
  'CREATE INDEX IF NOT EXISTS studyopt_ix_trials_study_id_state ON trials (study_id, state)',
  // Which process runs a RUNNING trial, so that a crash on this host is detected without waiting for the grace period.
  // `since`, set only while a row is a reserved slot (RUNNING, nothing started in it yet): when
  // its process last confirmed it, so that an abandoned reservation on another host is
  // recognised (UTC, as heartbeats).
  'CREATE TABLE IF NOT EXISTS studyopt_trial_owners (trial_id INTEGER NOT NULL PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, since TEXT)',
];

/**
 * studyopt's indexes of earlier versions that it drops when it opens a file to write:
 * `studyopt_ix_trial_values_objective_type_value` made `best` walk a study's values in order, but
 * each batch of finished trials inserted at random places in it, which cost the writer about 30 µs
 * a trial (a third of its time on the IB grid) to save `best` a pass over the values.
 */
export const STUDYOPT_DROPPED_INDEXES: readonly string[] = ['studyopt_ix_trial_values_objective_type_value'];

/** Columns added to studyopt's tables after files were written without them: [table, column, type]. */
export const STUDYOPT_ADDED_COLUMNS: readonly (readonly [string, string, string])[] = [['studyopt_trial_owners', 'since', 'TEXT']];

/**
 * How a new file lays out trial parameters and user attributes.
 *
 * - `optuna`: Optuna's tables as Optuna creates them. Each parameter row repeats its
 *   distribution's JSON and each attribute row its key: about 1,560 bytes per trial for the IB
 *   grid's 11 parameters and 1,030 for its 18 metrics.
 * - `compact` (the default): the same two names, `trial_params` and `trial_user_attributes`, are
 *   views with Optuna's columns over studyopt tables that store each distinct text (parameter
 *   name, distribution JSON, attribute key) once in `studyopt_texts` and refer to it by number.
 *   Readers see exactly the rows the `optuna` layout holds; INSTEAD OF triggers make the views
 *   writable with Optuna's statements (an INSERT of a key a trial already has updates that row,
 *   as Optuna's and our upserts do; a view takes no ON CONFLICT clause).
 *
 * A file keeps the layout it was created with; files Optuna wrote are `optuna`.
 */
export type SqliteLayout = 'compact' | 'optuna';

/** The Optuna tables the compact layout replaces by views of the same name and columns. */
export const COMPACT_VIEWS: readonly string[] = ['trial_params', 'trial_user_attributes'];

/** The compact layout's tables, views and triggers (after Optuna's other tables). */
export const COMPACT_DDL: readonly string[] = [
  'CREATE TABLE studyopt_texts (text_id INTEGER NOT NULL PRIMARY KEY, text TEXT NOT NULL UNIQUE)',

  'CREATE TABLE studyopt_trial_params (param_id INTEGER NOT NULL PRIMARY KEY, trial_id INTEGER NOT NULL REFERENCES trials (trial_id), ' +
    'name_id INTEGER NOT NULL, param_value FLOAT, distribution_id INTEGER NOT NULL, UNIQUE (trial_id, name_id))',
  'CREATE VIEW trial_params (param_id, trial_id, param_name, param_value, distribution_json) AS ' +
    'SELECT p.param_id, p.trial_id, n.text, p.param_value, d.text FROM studyopt_trial_params p ' +
    'JOIN studyopt_texts n ON n.text_id = p.name_id JOIN studyopt_texts d ON d.text_id = p.distribution_id',
  'CREATE TRIGGER studyopt_trial_params_insert INSTEAD OF INSERT ON trial_params BEGIN ' +
    'INSERT OR IGNORE INTO studyopt_texts (text) VALUES (NEW.param_name), (NEW.distribution_json); ' +
    'INSERT INTO studyopt_trial_params (param_id, trial_id, name_id, param_value, distribution_id) VALUES (NEW.param_id, NEW.trial_id, ' +
    '(SELECT text_id FROM studyopt_texts WHERE text = NEW.param_name), NEW.param_value, (SELECT text_id FROM studyopt_texts WHERE text = NEW.distribution_json)) ' +
    'ON CONFLICT (trial_id, name_id) DO UPDATE SET param_value = excluded.param_value, distribution_id = excluded.distribution_id; END',
  'CREATE TRIGGER studyopt_trial_params_update INSTEAD OF UPDATE ON trial_params BEGIN ' +
    'INSERT OR IGNORE INTO studyopt_texts (text) VALUES (NEW.param_name), (NEW.distribution_json); ' +
    'UPDATE studyopt_trial_params SET trial_id = NEW.trial_id, name_id = (SELECT text_id FROM studyopt_texts WHERE text = NEW.param_name), ' +
    'param_value = NEW.param_value, distribution_id = (SELECT text_id FROM studyopt_texts WHERE text = NEW.distribution_json) WHERE param_id = OLD.param_id; END',
  'CREATE TRIGGER studyopt_trial_params_delete INSTEAD OF DELETE ON trial_params BEGIN DELETE FROM studyopt_trial_params WHERE param_id = OLD.param_id; END',

  'CREATE TABLE studyopt_trial_user_attributes (trial_user_attribute_id INTEGER NOT NULL PRIMARY KEY, trial_id INTEGER NOT NULL REFERENCES trials (trial_id), ' +
    'key_id INTEGER NOT NULL, value_json TEXT, UNIQUE (trial_id, key_id))',
  'CREATE VIEW trial_user_attributes (trial_user_attribute_id, trial_id, "key", value_json) AS ' +
    'SELECT a.trial_user_attribute_id, a.trial_id, k.text, a.value_json FROM studyopt_trial_user_attributes a JOIN studyopt_texts k ON k.text_id = a.key_id',
  'CREATE TRIGGER studyopt_trial_user_attributes_insert INSTEAD OF INSERT ON trial_user_attributes BEGIN ' +
    'INSERT OR IGNORE INTO studyopt_texts (text) VALUES (NEW."key"); ' +
    'INSERT INTO studyopt_trial_user_attributes (trial_user_attribute_id, trial_id, key_id, value_json) VALUES (NEW.trial_user_attribute_id, NEW.trial_id, ' +
    '(SELECT text_id FROM studyopt_texts WHERE text = NEW."key"), NEW.value_json) ' +
    'ON CONFLICT (trial_id, key_id) DO UPDATE SET value_json = excluded.value_json; END',
  'CREATE TRIGGER studyopt_trial_user_attributes_update INSTEAD OF UPDATE ON trial_user_attributes BEGIN ' +
    'INSERT OR IGNORE INTO studyopt_texts (text) VALUES (NEW."key"); ' +
    'UPDATE studyopt_trial_user_attributes SET trial_id = NEW.trial_id, key_id = (SELECT text_id FROM studyopt_texts WHERE text = NEW."key"), ' +
    'value_json = NEW.value_json WHERE trial_user_attribute_id = OLD.trial_user_attribute_id; END',
  'CREATE TRIGGER studyopt_trial_user_attributes_delete INSTEAD OF DELETE ON trial_user_attributes BEGIN ' +
    'DELETE FROM studyopt_trial_user_attributes WHERE trial_user_attribute_id = OLD.trial_user_attribute_id; END',
];

const compactParamInserts: string[] = [];
const compactAttrInserts: string[] = [];

/** What the SQL store needs to write the compact layout's tables directly (sql-storage.ts CompactTables). */
export const COMPACT_TABLES: CompactTables = {
  upsertingViews: new Set(COMPACT_VIEWS),
  addText: 'INSERT OR IGNORE INTO studyopt_texts (text) VALUES (?)',
  textId: 'SELECT text_id FROM studyopt_texts WHERE text = ?',
  paramInsertSql: (rows) =>
    (compactParamInserts[rows] ??= `INSERT INTO studyopt_trial_params (trial_id, name_id, param_value, distribution_id) VALUES ${Array(rows).fill('(?, ?, ?, ?)').join(', ')}`),
  userAttrInsertSql: (rows) =>
    (compactAttrInserts[rows] ??= `INSERT INTO studyopt_trial_user_attributes (trial_id, key_id, value_json) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')}`),
};
