/**
 * The CLI end to end: spawn the built binary (npm test builds first) and read what it prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function studyopt(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
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
    expect(Object.keys(out).sort()).toEqual(['bestParams', 'bestValue', 'completed', 'direction', 'elapsedSeconds', 'failed', 'nTrials', 'sampler', 'studyName'].sort());
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

  const bad: [string, string[], RegExp][] = [
    ['an unknown flag', ['optimize', '--objective', 'branin', '--bogus', '1'], /bogus/],
    ['an unknown objective', ['optimize', '--objective', 'nope'], /unknown objective 'nope'/],
    ['an unknown sampler', ['optimize', '--objective', 'branin', '--sampler', 'magic'], /unknown sampler 'magic'/],
    ['a bad trial count', ['optimize', '--objective', 'branin', '--trials', '0'], /--trials must be a positive integer/],
    ['a non-numeric trial count', ['optimize', '--objective', 'branin', '--trials', 'many'], /trials/],
    ['a bad direction', ['optimize', '--objective', 'branin', '--direction', 'up'], /direction/],
    ['broken sampler options', ['optimize', '--objective', 'branin', '--sampler-options', '{oops'], /--sampler-options must be a JSON object/],
    ['an option the sampler does not have', ['optimize', '--objective', 'branin', '--sampler', 'random', '--sampler-options', '{"gamma": 1}'], /sampler 'random' has no option 'gamma'/],
    ['no command', [], /command/],
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
