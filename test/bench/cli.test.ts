// Bad input to `studyopt bench` and `studyopt report`: a UsageError naming the input (the CLI's
// exit code 2). The commands are parsed by yargs exactly as main.ts wires them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { parseBudgets, resolveBenchConfig } from '../../src/apps/bench/cli-config.js';
import bench from '../../src/apps/cli/commands/bench.js';
import report from '../../src/apps/cli/commands/report.js';
import { UsageError } from '../../src/errors.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createStudy } from '../../src/study.js';

async function parse(args: string[]): Promise<unknown> {
  return yargs(args)
    .command(bench)
    .command(report)
    .strict()
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .parseAsync();
}

describe('bench flags', () => {
  it('parses budget lists and rejects bad ones', () => {
    expect(parseBudgets('300, 100,500,100')).toEqual([100, 300, 500]);
    for (const bad of ['', '100,,300', '10,x', '0', '-5', '1.5']) expect(() => parseBudgets(bad), bad).toThrow(UsageError);
    expect(() => parseBudgets('10,x')).toThrow(/--trials must be a comma-separated list of positive integers/);
  });

  it('defaults to every registered sampler; no grid for a test function', () => {
    const ib = resolveBenchConfig({});
    expect(ib.spec).toMatchObject({ kind: 'ib', symbol: 'GER40', grid: 'standard', metric: 'sharpe' });
    expect(ib.samplers).toContain('grid');
    expect(ib.budgets).toEqual([100, 300, 500]);
    expect(ib.seeds).toEqual([1, 2, 3, 4, 5]);
    const fn = resolveBenchConfig({ objective: 'hartmann6' });
    expect(fn.spec).toEqual({ kind: 'function', name: 'hartmann6' });
    expect(fn.samplers).not.toContain('grid');
  });

  it('rejects unknown samplers, a grid without a grid, IB flags on a function, bad counts', async () => {
    await expect(parse(['bench', '--samplers', 'random,nope'])).rejects.toThrow(/unknown sampler 'nope': choose one of/);
    await expect(parse(['bench', '--objective', 'branin', '--samplers', 'grid'])).rejects.toThrow(/needs a grid/);
    await expect(parse(['bench', '--objective', 'branin', '--symbol', 'GER40'])).rejects.toThrow(/--symbol belongs to the IB study/);
    await expect(parse(['bench', '--trials', '100,abc'])).rejects.toThrow(UsageError);
    await expect(parse(['bench', '--seeds', '0'])).rejects.toThrow(/--seeds must be a positive integer/);
    await expect(parse(['bench', '--workers', '1.5'])).rejects.toThrow(/--workers must be a positive integer/);
    await expect(parse(['bench', '--objective', 'nosuch'])).rejects.toThrow(/neither an IB metric/);
  }, 120_000);
});

describe('report flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-report-cli-'));
  const db = join(dir, 's.db');
  const storage = new SqliteStorage(db);
  createStudy({ storage, studyName: 'alpha', direction: 'minimize' });
  createStudy({ storage, studyName: 'beta', direction: 'minimize' });
  storage.close();

  it('an unknown study name lists the existing ones', async () => {
    await expect(parse(['report', '--storage', db, '--study-name', 'gamma'])).rejects.toThrow(/no study named 'gamma'.*it has: alpha, beta/);
  });

  it('a missing or wrong bench file is named', async () => {
    await expect(parse(['report', '--storage', db, '--study-name', 'alpha', '--bench', join(dir, 'none.json')])).rejects.toThrow(/--bench .*none\.json: no such file/);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, '{"rows": 1}');
    await expect(parse(['report', '--storage', db, '--study-name', 'alpha', '--bench', wrong])).rejects.toThrow(/is not the JSON of 'studyopt bench --json'/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    await expect(parse(['report', '--storage', db, '--study-name', 'alpha', '--bench', broken])).rejects.toThrow(/is not valid JSON/);
  });

  it('a missing study file is named', async () => {
    await expect(parse(['report', '--storage', join(dir, 'missing.db'), '--study-name', 'x'])).rejects.toThrow(/no study file at/);
  });
});
