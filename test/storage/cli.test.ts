/**
 * The study-file commands: studies, trials, best, export, delete; their output formats and their
 * refusals of bad input (UsageError, which the CLI maps to exit code 2).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type CommandModule } from 'yargs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import bestCommand from '../../src/cli/commands/best.js';
import deleteCommand from '../../src/cli/commands/delete.js';
import exportCommand from '../../src/cli/commands/export.js';
import studiesCommand from '../../src/cli/commands/studies.js';
import trialsCommand from '../../src/cli/commands/trials.js';
import { floatDistribution, categoricalDistribution } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { isCreated } from '../../src/storage/storage.js';
import { tempDir } from './helpers.js';

const COMMANDS = [studiesCommand, trialsCommand, bestCommand, exportCommand, deleteCommand] as CommandModule[];

async function cli(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    let y = yargs(args).strict().exitProcess(false);
    for (const c of COMMANDS) y = y.command(c);
    await y
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('study file commands', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    file = join(dir, 'studies.db');
    const s = new SqliteStorage(file);
    const aapl = s.createStudy('AAPL', ['maximize']);
    s.setStudySystemAttr(aapl, 'study:metric_names', ['sharpe']);
    const values = [0.5, 1.25, null, 0.75];
    values.forEach((v, i) => {
      const t = s.createTrial(aapl);
      if (!isCreated(t)) throw new Error('not created');
      s.setTrialParam(t.trialId, 'window', i * 10, floatDistribution(0, 100));
      s.setTrialParam(t.trialId, 'side', i % 2, categoricalDistribution(['long', 'short']));
      s.setTrialUserAttr(t.trialId, 'note', i === 1 ? 'best, so far' : `trial ${i}`);
      s.setTrialStateValues(t.trialId, v === null ? 'FAIL' : 'COMPLETE', v === null ? null : [v]);
    });
    s.createStudy('NVDA', ['minimize']);
    s.close();
  });
  afterEach(() => cleanup());

  it('studies: names, directions, counts, best value', async () => {
    const text = await cli('studies', '--storage', file);
    expect(text).toMatch(/AAPL\s+maximize\s+4\s+3\s+0\s+1\s+0\s+0\s+1\.25/);
    expect(text).toMatch(/NVDA\s+minimize\s+0/);
    const json = JSON.parse(await cli('studies', '--storage', file, '--json'));
    expect(json.map((s: { name: string }) => s.name)).toEqual(['AAPL', 'NVDA']);
    expect(json[0]).toMatchObject({ complete: 3, fail: 1, best: 1.25 });
    expect(json[0].last_activity).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  });

  it('trials: table, state filter, CSV and JSON', async () => {
    expect((await cli('trials', '--storage', file, '--study-name', 'AAPL')).trim().split('\n').length).toBe(5);
    const csv = await cli('trials', '--storage', file, '--study-name', 'AAPL', '--state', 'complete', '--csv');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('number,values_sharpe,datetime_start,datetime_complete,duration,params_side,params_window,user_attrs_note,state');
    expect(lines.length).toBe(4);
    expect(lines[2]).toContain('"best, so far"');
    const json = JSON.parse(await cli('trials', '--storage', file, '--study-name', 'AAPL', '--state', 'fail', '--json'));
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ number: 2, values_sharpe: null, params_window: 20, params_side: 'long', state: 'FAIL' });
    await expect(cli('trials', '--storage', file, '--study-name', 'AAPL', '--json', '--csv')).rejects.toThrow(/not both/);
  });

  it('best: the best trial, in text and JSON', async () => {
    expect(await cli('best', '--storage', file, '--study-name', 'AAPL')).toMatch(/trial 1: sharpe 1\.25 \(maximize\)\n\s+window = 10\n\s+side = "short"/);
    const json = JSON.parse(await cli('best', '--storage', file, '--study-name', 'AAPL', '--json'));
    expect(json).toMatchObject({ number: 1, values: [1.25], params: { window: 10, side: 'short' }, metricNames: ['sharpe'] });
    await expect(cli('best', '--storage', file, '--study-name', 'NVDA')).rejects.toThrow(/no completed/);
  });

  it('export: one row per trial, to stdout or a file, CSV or JSON', async () => {
    const out = join(dir, 'aapl.csv');
    expect(await cli('export', '--storage', file, '--study-name', 'AAPL', '--format', 'csv', '--out', out)).toBe('');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0].split(',')).toContain('params_window');
    const json = JSON.parse(await cli('export', '--storage', `sqlite:///${file}`, '--study-name', 'AAPL', '--format', 'json'));
    expect(json.map((r: { number: number }) => r.number)).toEqual([0, 1, 2, 3]);
    expect(json[0]).toMatchObject({ values_sharpe: 0.5, params_window: 0, user_attrs_note: 'trial 0', state: 'COMPLETE' });
    expect(typeof json[0].duration).toBe('number');
    await expect(cli('export', '--storage', file, '--study-name', 'AAPL', '--format', 'csv', '--out', join(dir, 'missing', 'x.csv'))).rejects.toThrow(UsageError);
  });

  it('delete: asks for --yes, then removes the study', async () => {
    await expect(cli('delete', '--storage', file, '--study-name', 'AAPL')).rejects.toThrow(/--yes/);
    expect(await cli('studies', '--storage', file)).toContain('AAPL');
    expect(await cli('delete', '--storage', file, '--study-name', 'AAPL', '--yes')).toContain("deleted study 'AAPL' (4 trials)");
    expect(await cli('studies', '--storage', file)).not.toContain('AAPL');
  });

  it('refuses bad input with UsageError: unknown study (listing the others), missing or foreign files', async () => {
    await expect(cli('best', '--storage', file, '--study-name', 'MSFT')).rejects.toThrow(/no study named 'MSFT'.*it has: AAPL, NVDA/);
    const missing = join(dir, 'nope.db');
    await expect(cli('studies', '--storage', missing)).rejects.toThrow(/no study file/);
    expect(existsSync(missing)).toBe(false);
    const notes = join(dir, 'notes.db');
    writeFileSync(notes, 'not a database');
    await expect(cli('studies', '--storage', notes)).rejects.toThrow(UsageError);
    expect(readFileSync(notes, 'utf8')).toBe('not a database');
  });
});
