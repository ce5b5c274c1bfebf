import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where imported and generated market data is cached: `$STUDYOPT_DATA_DIR`, else
 * `~/.cache/studyopt/data`. Read on every call so tests can point it at a temp dir.
 */
export function dataDir(): string {
  const fromEnv = process.env['STUDYOPT_DATA_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'studyopt', 'data');
}
