/**
 * The CLI end to end: spawn the built binary (npm test builds first) and read what it prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
// The IB study generates its built-in data on first use: keep it out of the user's cache.
const DATA_DIR = mkdtempSync(join(tmpdir(), 'studyopt-cli-data-'));

function studyopt(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: DATA_DIR } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('studyopt CLI', () => {
  it('is built', () => {
    expect(existsSync(BIN)).toBe(true);
  });

  it('prints help listing the commands', () => {
    const r = studyopt('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/optimize/);
  });

  it('optimize --json prints exactly one JSON object with the result', () => {
    const r = studyopt('optimize', '--objective', 'branin', '--sampler', 'random', '--trials', '100', '--seed', '1', '--study-name', 'X', '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(Object.keys(out).sort()).toEqual(['bestParams', 'bestValue', 'completed', 'data', 'direction', 'elapsedSeconds', 'failed', 'nTrials', 'sampler', 'stopReason', 'studyName', 'waiting'].sort());
    expect(out).toMatchObject({ studyName: 'X', sampler: 'random', direction: 'minimize', nTrials: 100, completed: 100, failed: 0 });
    expect(out.bestValue).toBeGreaterThan(0.397);
    expect(out.bestValue).toBeLessThan(5);
    expect(Object.keys(out.bestParams)).toEqual(['x0', 'x1']);
  });

  it('gives the same result for the same seed', () => {
    const run = () => JSON.parse(studyopt('optimize', '--objective', 'hartmann6', '--sampler', 'random', '--trials', '30', '--seed', '7', '--json').stdout);
    const a = run();
    const b = run();
    expect(a.bestValue).toBe(b.bestValue);
    expect(a.bestParams).toEqual(b.bestParams);
  });

  it('prints the best parameters in plain text without --json', () => {
    const r = studyopt('optimize', '--objective', 'sphere3', '--sampler', 'random', '--trials', '20', '--seed', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/best value: /);
    expect(r.stdout).toMatch(/x0/);
  });

  it('optimizes the IB study by default, on built-in data, and never calls an infeasible trial best', () => {
    const r = studyopt('optimize', '--sampler', 'random', '--trials', '40', '--seed', '3', '--json', '--grid', 'standard');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ studyName: 'ib-GER40-standard-sharpe-random', direction: 'maximize', completed: 40 });
    expect(Object.keys(out.bestParams)).toEqual(expect.arrayContaining(['IB_WINDOW', 'RR_TARGET', 'STOP_MODE', 'TSL_TARGET', 'IB_BUFFER_PCT', 'MAX_DISTANCE_PCT']));
    const plain = studyopt('optimize', '--sampler', 'random', '--trials', '10', '--seed', '3', '--objective', 'total_r', '--min-trades', '10');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/its metrics:[\s\S]*total_trades/);
  });

  it('walks the whole standard IB grid with the grid sampler by default (no --trials) and says so', () => {
    const r = studyopt('optimize', '--sampler', 'grid', '--grid', 'standard', '--json', '--symbol', 'XAUUSD', '--from', '2024-01-01', '--to', '2024-03-31');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ nTrials: 25920, completed: 25920, grid: { points: 25920, done: 25920 } });
    const part = studyopt('optimize', '--sampler', 'grid', '--grid', 'standard', '--trials', '300', '--symbol', 'XAUUSD', '--from', '2024-01-01', '--to', '2024-01-31', '--storage', 'memory');
    expect(part.code).toBe(0);
    expect(part.stdout).toMatch(/^grid: 300 of 25920 points done \(1\.2%\)$/m);
  });

  it('runs a user objective module (.mjs and .ts) on the worker pool', () => {
    const fixtures = fileURLToPath(new URL('../fixtures/executor/', import.meta.url));
    for (const file of ['quadratic.mjs', 'typed.ts']) {
      const r = studyopt('optimize', '--objective', join(fixtures, file), '--sampler', 'random', '--trials', '40', '--workers', '2', '--storage', 'memory', '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ nTrials: 40, completed: 40, direction: 'minimize' });
      expect(out.studyName).toBe(`${file.replace(/\.\w+$/, '')}-random`);
    }
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown flag', ['optimize', '--objective', 'branin', '--bogus', '1'], /bogus/],
    ['an unknown objective', ['optimize', '--objective', 'nope'], /--objective 'nope' is neither an IB metric/],
    ['an IB flag on a test function', ['optimize', '--objective', 'branin', '--symbol', 'GER40'], /--symbol belongs to the IB study/],
    ['an unknown symbol', ['optimize', '--symbol', 'NOPE', '--trials', '1'], /NOPE/],
    ['an unknown sampler', ['optimize', '--objective', 'branin', '--sampler', 'magic'], /unknown sampler 'magic'/],
    ['a bad trial count', ['optimize', '--objective', 'branin', '--trials', '0'], /--trials must be a positive integer/],
    ['a non-numeric trial count', ['optimize', '--objective', 'branin', '--trials', 'many'], /trials/],
    ['a bad direction', ['optimize', '--objective', 'branin', '--direction', 'up'], /direction/],
    ['broken sampler options', ['optimize', '--objective', 'branin', '--sampler-options', '{oops'], /--sampler-options must be a JSON object/],
    ['an option the sampler does not have', ['optimize', '--objective', 'branin', '--sampler', 'random', '--sampler-options', '{"gamma": 1}'], /sampler 'random' has no option 'gamma'/],
    ['no command', [], /command/],
    ['a missing objective module', ['optimize', '--objective', './nope.mjs'], /--objective \.\/nope\.mjs: no such file/],
    ['a bad worker count', ['optimize', '--objective', 'branin', '--workers', '0'], /--workers must be a positive integer/],
  ];
  for (const [what, args, message] of bad) {
    it(`exits with code 2 and a clear message on ${what}`, () => {
      const r = studyopt(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }
});
