// A throwaway PostgreSQL server for the tests: Debian's binaries (`.ci/install-postgres.sh`),
// a fresh cluster in a temporary folder, a free loopback port, stopped and removed afterwards.
// Nothing here talks to a server started by hand or to Debian's own cluster on 5432.
//
// Used by the vitest globalSetup (`test/global-postgres.ts`, one server for the whole run) and by
// tests that need a server of their own (e.g. to restart it without disturbing other files).
import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where Debian's `postgresql-<v>` packages put the server binaries. */
const DEBIAN_ROOT = '/usr/lib/postgresql';
/** Overrides the binary folder (e.g. Homebrew's `.../postgresql@15/bin`); must hold initdb, pg_ctl, postgres. */
const BIN_ENV = 'STUDYOPT_PG_BIN';
/** Set by the globalSetup for child processes; test files read the URL with `inject('postgresUrl')`. */
export const POSTGRES_URL_ENV = 'STUDYOPT_TEST_POSTGRES_URL';

/** The role and database every test server has; the password exists so wrong credentials can be tested. */
export const TEST_USER = 'studyopt';
export const TEST_PASSWORD = 'studyopt';
export const TEST_DATABASE = 'studyopt';

export interface PostgresInstall {
  binDir: string;
  /** Major version, e.g. 15. */
  version: number;
}

export interface PostgresServer {
  /** `postgresql://studyopt:studyopt@127.0.0.1:PORT/studyopt` (the role may create databases). */
  url: string;
  /** The superuser `postgres` (random password) on the same server, for what the test role may not do. */
  adminUrl: string;
  host: '127.0.0.1';
  port: number;
  version: number;
  /** The cluster's data folder (inside a temporary folder removed by `stop`). */
  dataDir: string;
  /** The server's log; its tail is part of every start/restart error. */
  logFile: string;
  /** `pg_ctl restart -m fast`: same port, same data; open connections are cut (57P01). */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`, then removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
}

export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

const isRoot = (): boolean => process.getuid?.() === 0;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasServerBinaries(binDir: string): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every((name) => isExecutable(join(binDir, name)));
}

/** The newest installed PostgreSQL, or why there is none usable. */
export function findPostgres(): PostgresInstall | { reason: string } {
  const override = process.env[BIN_ENV];
  let install: PostgresInstall | undefined;
  if (override) {
    if (!hasServerBinaries(override)) {
      return { reason: `${BIN_ENV}=${override} does not hold executable initdb, pg_ctl and postgres` };
    }
    const out = spawnSync(join(override, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout ?? '';
    install = { binDir: override, version: Number(/(\d+)(\.\d+)?/.exec(out)?.[1] ?? 0) };
  } else {
    const versions = existsSync(DEBIAN_ROOT)
      ? readdirSync(DEBIAN_ROOT)
          .filter((v) => /^\d+$/.test(v) && hasServerBinaries(join(DEBIAN_ROOT, v, 'bin')))
          .map(Number)
          .sort((a, b) => b - a)
      : [];
    if (versions.length === 0) {
      return {
        reason:
          `no PostgreSQL server found (${DEBIAN_ROOT}/<version>/bin/initdb is missing): ` +
          `install it with \`sudo bash .ci/install-postgres.sh\` or point ${BIN_ENV} at a bin folder`,
      };
    }
    install = { binDir: join(DEBIAN_ROOT, String(versions[0]), 'bin'), version: versions[0] };
  }
  // initdb refuses to run as root: as root the cluster belongs to the `postgres` user.
  if (isRoot()) {
    if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
      return { reason: 'running as root, but there is no `postgres` user to own the test cluster' };
    }
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser') && !existsSync('/usr/bin/runuser')) {
      return { reason: 'running as root, but `runuser` (util-linux) is missing' };
    }
  }
  return install;
}

/** Why the PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailableReason(): string | null {
  const found = findPostgres();
  return 'reason' in found ? found.reason : null;
}

/**
 * Whether a test server can be started. Outside CI a missing PostgreSQL means "skip" (false);
 * with `CI` set it throws, so CI fails loudly instead of silently skipping the PostgreSQL tests.
 */
export function postgresAvailable(): boolean {
  const reason = postgresUnavailableReason();
  if (reason === null) return true;
  if (isCI()) throw new Error(`CI is set, so the PostgreSQL tests must run, but ${reason}`);
  return false;
}

function requirePostgres(): PostgresInstall {
  const found = findPostgres();
  if ('reason' in found) throw new Error(`cannot start a PostgreSQL test server: ${found.reason}`);
  return found;
}

/** A port that was free on 127.0.0.1 a moment ago (start retries on the rare race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a PostgreSQL binary as the cluster's owner: `postgres` via runuser when we are root, else us. */
function runPg(binDir: string, tool: string, args: string[], cwd: string): Promise<RunResult> {
  const binary = join(binDir, tool);
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  return new Promise((resolve, reject) => {
    // cwd: a folder the postgres user can enter (the repository may not be readable by it).
    execFile(file, argv, { cwd, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${tool} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`.trim()));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** Postmaster pid from the data folder's lock file, or null when the server is not running. */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

// Runs detached from the test process (and its Ctrl-C), so that a test run killed in any way
// (SIGINT makes vitest exit without its teardown; SIGKILL runs no handler at all) leaves no server:
// once the parent is gone it stops the postmaster (immediate mode) and removes the folder.
// It exits by itself after a normal stop, which removes the data folder.
const WATCHDOG = `
parent=$1; dir=$2; data=$3
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
if [ -f "$data/postmaster.pid" ]; then
  pm=$(head -n 1 "$data/postmaster.pid")
  if [ -n "$pm" ] && { [ ! -d /proc ] || [ "$(cat /proc/$pm/comm 2>/dev/null)" = postgres ]; }; then
    kill -QUIT "$pm" 2>/dev/null
    i=0; while kill -0 "$pm" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  fi
fi
rm -rf "$dir"
`;

function startWatchdog(dir: string, dataDir: string): number | undefined {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'studyopt-pg-watchdog', String(process.pid), dir, dataDir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Connects until the server answers (pg_ctl -w has already waited for "ready"; this is the last check). */
async function waitForConnection(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * Starts a fresh PostgreSQL server on a free 127.0.0.1 port: initdb as the `postgres` user (as root)
 * in a temporary folder, a role `studyopt`/`studyopt` (scram-sha-256 over TCP, CREATEDB) owning a
 * database `studyopt`. fsync and friends are off: test speed over durability (a crash loses data,
 * a `restart()` does not).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const { binDir, version } = requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  const pwFile = join(dir, 'superuser-password');
  const adminPassword = randomBytes(18).toString('base64url');
  mkdirSync(socketDir, { mode: 0o700 });
  writeFileSync(pwFile, `${adminPassword}\n`, { mode: 0o600 });
  if (isRoot()) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    for (const path of [dir, socketDir, pwFile]) chownSync(path, uid, gid);
    if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]).status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`the postgres user cannot write ${dir}: set TMPDIR to a folder it can reach (e.g. /tmp)`);
    }
  }
  let watchdogPid = startWatchdog(dir, dataDir);
  let stopped = false;
  // Synchronous last resort for a process.exit() without teardown (vitest's Ctrl-C handler):
  // an immediate shutdown now; the watchdog removes the folder once the server is gone.
  const onExit = (): void => {
    const pid = postmasterPid(dataDir);
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', onExit);

  const cleanup = (): void => {
    stopped = true;
    process.off('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
    if (watchdogPid !== undefined) {
      try {
        process.kill(watchdogPid, 'SIGTERM');
      } catch {
        // exited by itself
      }
      watchdogPid = undefined;
    }
  };

  try {
    await runPg(
      binDir,
      'initdb',
      ['-D', dataDir, '-U', 'postgres', `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
        '--encoding=UTF8', '--locale=C', '--no-sync'],
      dir,
    );
    rmSync(pwFile, { force: true });
  } catch (error) {
    cleanup();
    throw error;
  }

  let port = 0;
  const serverOptions = (): string =>
    [`-p ${port}`, `-k ${socketDir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off',
      '-c full_page_writes=off', '-c max_connections=200'].join(' ');
  const pgCtl = (args: string[]): Promise<RunResult> =>
    runPg(binDir, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-t', '60', ...args], dir);

  // A free port can be taken between freePort() and the server's bind: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    port = await freePort();
    try {
      // -l: the server's output goes to the log, not to our pipes (which would then never close).
      await pgCtl(['-o', serverOptions(), '-w', 'start']);
      lastError = undefined;
      break;
    } catch (error) {
      lastError = new Error(`${(error as Error).message}\nserver log:\n${logTail(logFile)}`);
      if (postmasterPid(dataDir) !== null) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
    }
  }
  if (lastError !== undefined) {
    cleanup();
    throw lastError;
  }

  const adminUrl = `postgresql://postgres:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}/postgres`;
  const url = `postgresql://${TEST_USER}:${TEST_PASSWORD}@127.0.0.1:${port}/${TEST_DATABASE}`;
  try {
    await waitForConnection(adminUrl);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${quoteIdent(TEST_USER)} LOGIN CREATEDB PASSWORD ${quoteLiteral(TEST_PASSWORD)}`);
      await admin.query(`CREATE DATABASE ${quoteIdent(TEST_DATABASE)} OWNER ${quoteIdent(TEST_USER)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
    cleanup();
    throw new Error(`${(error as Error).message}\nserver log:\n${logTail(logFile)}`);
  }

  return {
    url,
    adminUrl,
    host: '127.0.0.1',
    port,
    version,
    dataDir,
    logFile,
    async restart() {
      if (stopped) throw new Error('restart() after stop()');
      try {
        await pgCtl(['-m', 'fast', '-o', serverOptions(), '-w', 'restart']);
        await waitForConnection(adminUrl);
      } catch (error) {
        throw new Error(`${(error as Error).message}\nserver log:\n${logTail(logFile)}`);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (postmasterPid(dataDir) !== null) await pgCtl(['-m', 'fast', '-w', 'stop']);
      } catch {
        // fast shutdown did not finish: do not leave the server behind
        await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
      } finally {
        cleanup();
      }
    },
  };
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * A fresh, empty database `name` on the server of `url` (dropped first if it exists, e.g. in watch
 * mode), owned by `url`'s role; returns `url` pointing at it. One per test file lets files run in
 * parallel on the shared server without seeing each other's tables.
 */
export async function createDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`database name must match /^[a-z_][a-z0-9_]{0,62}$/, but got ${JSON.stringify(name)}`);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
  return withDatabase(url, name);
}
