export { SqliteStorage, type SqliteStorageOptions } from './sqlite-storage.js';
export { OPTUNA_SCHEMA_VERSION, OPTUNA_ALEMBIC_HEAD } from './schema.js';
