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
import reportCommand from '../../src/cli/commands/report.js';
import studiesCommand from '../../src/cli/commands/studies.js';
import trialsCommand from '../../src/cli/commands/trials.js';
import { floatDistribution, categoricalDistribution } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { isCreated } from '../../src/storage/storage.js';
import { tempDir } from './helpers.js';

const COMMANDS = [studiesCommand, trialsCommand, bestCommand, exportCommand, deleteCommand, reportCommand] as CommandModule[];

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

  it('best: the text shows stored numbers exactly as --json does, never rounded', async () => {
    const one = join(dir, 'one.db');
    const s = new SqliteStorage(one);
    const id = s.createStudy('only', ['maximize']);
    const t = s.createTrial(id);
    if (!isCreated(t)) throw new Error('not created');
    s.setTrialParam(t.trialId, 'x', 0.1 + 0.2, floatDistribution(0, 1));
    s.setTrialUserAttr(t.trialId, 'final_balance', 10234.567891234567);
    s.setTrialUserAttr(t.trialId, 'curve', [1.5, Infinity]);
    s.setTrialStateValues(t.trialId, 'COMPLETE', [1.0000001234567]);
    s.close();
    const text = await cli('best', '--storage', one, '--study-name', 'only');
    const json = JSON.parse(await cli('best', '--storage', one, '--study-name', 'only', '--json'));
    expect(json).toMatchObject({ values: [1.0000001234567], params: { x: 0.30000000000000004 }, userAttrs: { final_balance: 10234.567891234567 } });
    expect(text).toContain(`trial 0: value ${JSON.stringify(json.values[0])} (maximize)`);
    expect(text).toContain(`  x = ${JSON.stringify(json.params.x)}\n`);
    expect(text).toContain(`  [final_balance] ${JSON.stringify(json.userAttrs.final_balance)}\n`);
    expect(text).toContain('  [curve] [1.5,"Infinity"]');
    expect(text).toContain('10234.567891234567');
  });

  it('best, trials, export and report take the only study when --study-name is left out; delete still needs it', async () => {
    const one = join(dir, 'one.db');
    const s = new SqliteStorage(one);
    const id = s.createStudy('only', ['minimize']);
    for (const v of [3, 1, 2]) {
      const t = s.createTrial(id);
      if (!isCreated(t)) throw new Error('not created');
      s.setTrialParam(t.trialId, 'x', v, floatDistribution(0, 10));
      s.setTrialStateValues(t.trialId, 'COMPLETE', [v]);
    }
    s.close();
    expect(await cli('best', '--storage', one)).toMatch(/^trial 1: value 1 \(minimize\)/);
    expect((await cli('trials', '--storage', one)).trim().split('\n')).toHaveLength(4);
    expect(JSON.parse(await cli('export', '--storage', one, '--format', 'json'))).toHaveLength(3);
    const out = join(dir, 'only.html');
    expect(await cli('report', '--storage', one, '--out', out)).toContain(`report written to ${out}`);
    expect(readFileSync(out, 'utf8')).toContain('only');
    await expect(cli('delete', '--storage', one, '--yes')).rejects.toThrow(/study-name/);
    // Several studies: the name is needed, and the message lists them.
    for (const args of [['best'], ['trials'], ['export', '--format', 'csv'], ['report', '--out', join(dir, 'x.html')]]) {
      await expect(cli(...args, '--storage', file)).rejects.toThrow(/holds 2 studies: choose one with --study-name \(AAPL, NVDA\)/);
    }
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
    // No study at all: says so.
    const empty = join(dir, 'empty.db');
    new SqliteStorage(empty).close();
    await expect(cli('best', '--storage', empty)).rejects.toThrow(/has no studies yet/);
    await expect(cli('trials', '--storage', empty)).rejects.toThrow(UsageError);
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
