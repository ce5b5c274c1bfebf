/**
 * The CLI end to end on the way in and out: output into a pipe the reader closes early
 * (`studyopt trials | head -1`) ends quietly with status 0, and a number option given something
 * else is refused with exit code 2 and a message that quotes what was typed. Spawns the built
 * binary (npm test builds first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));

let dir: string;
let file: string;
const env = () => ({ ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(dir, 'data') });

function studyopt(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: env() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI with stdout a pipe that is closed after the first line, as `| head -1` does. */
function firstLineThenClose(...args: string[]): Promise<{ code: number | null; signal: string | null; line: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let line: string | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (line === null && out.includes('\n')) {
        line = out.slice(0, out.indexOf('\n'));
        child.stdout.destroy();
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, line: line ?? '', stderr });
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'studyopt-pipes-'));
  file = join(dir, 'many.db');
  // 3,000 trials: every listing is several times larger than a pipe's buffer (64 KiB).
  const r = studyopt('optimize', '--storage', file, '--objective', 'branin', '--sampler', 'random', '--trials', '3000', '--workers', '1', '--seed', '1', '--quiet');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('output into a pipe closed early', () => {
  for (const args of [['trials'], ['trials', '--csv'], ['trials', '--json'], ['export', '--format', 'csv']]) {
    it(`studyopt ${args.join(' ')} | head -1: ends quietly, status 0`, async () => {
      const r = await firstLineThenClose(...args, '--storage', file);
      expect(r.line).toMatch(/^(number|\[)/);
      expect(r.stderr).toBe('');
      expect(r.signal).toBe(null);
      expect(r.code).toBe(0);
    });
  }

  it('through a shell pipeline too', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" trials --storage "${file}" --csv | head -1; echo "status $?"`], { cwd: dir, encoding: 'utf8', env: env() });
    expect(r.stdout).toBe('number,value,datetime_start,datetime_complete,duration,params_x0,params_x1,state\nstatus 0\n');
    expect(r.stderr).toBe('');
    const pipefail = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" trials --storage "${file}" | head -1 >/dev/null; echo "status $?"`], { cwd: dir, encoding: 'utf8', env: env() });
    expect(pipefail.stdout).toBe('status 0\n');
    expect(pipefail.stderr).toBe('');
  });
});

describe('number options given something else', () => {
  it('quote what was typed, exit code 2, for any command', () => {
    const cases: [string[], string][] = [
      [['optimize', '--objective', 'branin', '--storage', 'memory', '--trials', 'abc'], "studyopt: --trials must be a number, but got 'abc'\n"],
      [['optimize', '--objective', 'branin', '--storage', 'memory', '--trials=1O0'], "studyopt: --trials must be a number, but got '1O0'\n"],
      [['optimize', '--objective', 'branin', '--storage', 'memory', '--workers', 'two'], "studyopt: --workers must be a number, but got 'two'\n"],
      [['trials', '--storage', 'many.db', '--top', 'ten'], "studyopt: --top must be a number, but got 'ten'\n"],
      [['backtest', '--symbol', 'XAUUSD', '--params', '{}', '--balance', '10k'], "studyopt: --balance must be a number, but got '10k'\n"],
    ];
    for (const [args, message] of cases) {
      const r = studyopt(...args);
      expect(r.stderr).toBe(message);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
    }
  });

  it('a number option with nothing after it is refused, not left at its default', () => {
    const r = studyopt('optimize', '--objective', 'branin', '--storage', 'memory', '--trials');
    expect(r.stderr).toBe("studyopt: --trials needs a number after it (see 'studyopt <command> --help')\n");
    expect(r.code).toBe(2);
  });

  it('numbers still parse: --trials=5, --top 2', () => {
    const r = studyopt('optimize', '--objective', 'branin', '--storage', 'memory', '--trials=5', '--workers', '1', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ nTrials: 5 });
    const top = studyopt('trials', '--storage', 'many.db', '--top', '2', '--json');
    expect(top.code).toBe(0);
    expect(JSON.parse(top.stdout)).toHaveLength(2);
  });
});

describe('trials: an unknown column', () => {
  it('is a usage error (exit code 2) that lists the columns', () => {
    const r = studyopt('trials', '--storage', 'many.db', '--columns', 'number,x3');
    expect(r.stderr).toMatch(/^studyopt: --columns: no column 'x3'; the columns are: number, value, datetime_start, datetime_complete, duration, params_x0, params_x1, state/);
    expect(r.code).toBe(2);
  });
});
