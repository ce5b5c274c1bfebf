/**
 * The study-file commands: studies, trials, best, export, delete; their output formats and their
 * refusals of bad input (UsageError, which the CLI maps to exit code 2).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type CommandModule } from 'yargs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import bestCommand from '../../src/apps/cli/commands/best.js';
import deleteCommand from '../../src/apps/cli/commands/delete.js';
import exportCommand from '../../src/apps/cli/commands/export.js';
import reportCommand from '../../src/apps/cli/commands/report.js';
import studiesCommand from '../../src/apps/cli/commands/studies.js';
import trialsCommand from '../../src/apps/cli/commands/trials.js';
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
    const table = (await cli('trials', '--storage', file, '--study-name', 'AAPL')).trim().split('\n');
    expect(table[0]).toMatch(/^number {2}values_sharpe {2}state {5}params_side {2}params_window {2}user_attrs_note {2}duration {2}datetime_start/);
    expect(table[1]).toMatch(/^0 {7}0\.5 {12}COMPLETE {2}long {9}0 {14}trial 0 /);
    expect(table.slice(5)).toEqual(['1 more column (the table fits 120 characters): datetime_complete', 'show them with --columns (e.g. --columns number,sharpe,datetime_complete) or --json / --csv']);
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

  describe('trials: --columns, --sort, --top and a table that fits', () => {
    /** A study like the IB one: 12 parameters and 20 metrics with long names, 8 trials, one failed and one infeasible. */
    function wideStudy(direction: 'minimize' | 'maximize'): string {
      const wide = join(dir, `wide-${direction}.db`);
      const s = new SqliteStorage(wide);
      const id = s.createStudy('wide', [direction]);
      const values = [5, 2, 7, null, 1, 9, 3, 6];
      values.forEach((v, i) => {
        const t = s.createTrial(id);
        if (!isCreated(t)) throw new Error('not created');
        for (let p = 0; p < 12; p++) s.setTrialParam(t.trialId, `PARAMETER_${p}`, i + p / 10, floatDistribution(0, 100));
        for (let m = 0; m < 20; m++) s.setTrialUserAttr(t.trialId, `metric_number_${m}`, i * 1000 + m);
        // Trial 5 has the best value for maximize but breaks a constraint: it ranks after the feasible ones.
        if (i === 5) s.setTrialSystemAttr(t.trialId, 'constraints', [1]);
        s.setTrialStateValues(t.trialId, v === null ? 'FAIL' : 'COMPLETE', v === null ? null : [v]);
      });
      s.close();
      return wide;
    }

    it('fits 120 characters when stdout is no terminal: number, value, state, params first; says what it left out', async () => {
      const wide = wideStudy('minimize');
      const lines = (await cli('trials', '--storage', wide)).trimEnd().split('\n');
      expect(lines[0]).toMatch(/^number {2}value {2}state {5}params_PARAMETER_0 {2}params_PARAMETER_1/);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
      const shown = lines[0].split(/\s+/).length;
      // 3 + 12 + 20 columns in the table's order (datetimes and duration last), system attributes never.
      const [, more] = lines[9].match(/^(\d+) more columns \(the table fits 120 characters\): params_PARAMETER_\d+, /) ?? [];
      expect(Number(more)).toBe(3 + 12 + 20 + 3 - shown);
      expect(lines[10]).toMatch(/^show them with --columns \(e\.g\. --columns number,value,PARAMETER_\d+\) or --json \/ --csv$/);
      expect(lines).toHaveLength(11);
      expect(lines.join('\n')).not.toContain('system_attrs');
    });

    it('fits the terminal when stdout is one', async () => {
      const wide = wideStudy('minimize');
      const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
      const columns = Object.getOwnPropertyDescriptor(process.stdout, 'columns');
      Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
      Object.defineProperty(process.stdout, 'columns', { value: 70, configurable: true });
      try {
        const lines = (await cli('trials', '--storage', wide)).trimEnd().split('\n');
        expect(lines).toHaveLength(1 + 8 + 2);
        for (const l of lines.slice(0, -2)) expect(l.length).toBeLessThanOrEqual(70);
        expect(lines[0]).toMatch(/^number {2}value {2}state {5}params_PARAMETER_0 {2}params_PARAMETER_1$/);
        expect(lines.at(-2)).toMatch(/more columns \(the table fits 70 characters\)/);
      } finally {
        for (const [key, d] of [['isTTY', tty], ['columns', columns]] as const) {
          if (d) Object.defineProperty(process.stdout, key, d);
          else delete (process.stdout as unknown as Record<string, unknown>)[key];
        }
      }
    });

    it('--columns: names as shown or without their prefix, in the order given; JSON and CSV keep every column without it', async () => {
      const wide = wideStudy('minimize');
      const text = await cli('trials', '--storage', wide, '--columns', 'number,metric_number_19,params_PARAMETER_3,value');
      expect(text.split('\n')[0]).toBe('number  user_attrs_metric_number_19  params_PARAMETER_3  value');
      expect(text.split('\n')[1]).toMatch(/^0 +19 +0\.3 +5$/);
      expect(text).not.toMatch(/more column/);
      const csv = await cli('trials', '--storage', wide, '--csv', '--columns', 'value,state');
      expect(csv.split('\n').slice(0, 2)).toEqual(['value,state', '5,COMPLETE']);
      const json = JSON.parse(await cli('trials', '--storage', wide, '--json', '--columns', 'number,PARAMETER_0,constraints'));
      expect(json[5]).toEqual({ number: 5, params_PARAMETER_0: 5, system_attrs_constraints: [1] });
      // Without --columns, --json and --csv give every column (the table's cut is for the eye only).
      expect(Object.keys(JSON.parse(await cli('trials', '--storage', wide, '--json'))[0])).toHaveLength(3 + 12 + 20 + 1 + 3);
      expect((await cli('trials', '--storage', wide, '--csv')).split('\n')[0].split(',')).toHaveLength(3 + 12 + 20 + 1 + 3);
      await expect(cli('trials', '--storage', wide, '--columns', 'number,sharp')).rejects.toThrow(
        /--columns: no column 'sharp'; the columns are: number, value, datetime_start, .*params_PARAMETER_0, .*user_attrs_metric_number_0, .*state \(the params_, user_attrs_, values_, system_attrs_ prefixes may be left out\)/,
      );
      await expect(cli('trials', '--storage', wide, '--columns', ',')).rejects.toThrow(UsageError);
    });

    it('--sort with --asc/--desc (a value column sorts best first), and --top N: the N best complete trials, feasible first', async () => {
      const numbers = async (...args: string[]) => JSON.parse(await cli('trials', ...args, '--json', '--columns', 'number')).map((r: { number: number }) => r.number);
      const min = wideStudy('minimize');
      expect(await numbers('--storage', min)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await numbers('--storage', min, '--top', '3')).toEqual([4, 1, 6]);
      // Worst first: by value alone.
      expect(await numbers('--storage', min, '--top', '3', '--desc')).toEqual([5, 2, 7]);
      expect(await numbers('--storage', min, '--sort', 'value')).toEqual([4, 1, 6, 0, 7, 2, 5, 3]);
      expect(await numbers('--storage', min, '--sort', 'metric_number_0', '--desc')).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
      expect(await numbers('--storage', min, '--sort', 'state', '--top', '2')).toEqual([0, 1]);
      const max = wideStudy('maximize');
      // 9 (trial 5) is infeasible: `best` would not name it, nor does --top.
      expect(await numbers('--storage', max, '--top', '3')).toEqual([2, 7, 0]);
      expect(await numbers('--storage', max, '--top', '20')).toEqual([2, 7, 0, 6, 1, 4, 5]);
      expect(await numbers('--storage', max, '--sort', 'value', '--asc')).toEqual([4, 1, 6, 0, 7, 2, 5, 3]);
      const table = await cli('trials', '--storage', max, '--top', '2', '--columns', 'number,value,state');
      expect(table).toBe('number  value  state\n2       7      COMPLETE\n7       6      COMPLETE\n');
      await expect(cli('trials', '--storage', max, '--desc')).rejects.toThrow(/--desc orders the rows of --sort/);
      await expect(cli('trials', '--storage', max, '--sort', 'value', '--asc', '--desc')).rejects.toThrow(/not both/);
      await expect(cli('trials', '--storage', max, '--sort', 'nope')).rejects.toThrow(/--sort: no column 'nope'/);
      await expect(cli('trials', '--storage', max, '--top', '0')).rejects.toThrow(/--top must be a whole number/);
      await expect(cli('trials', '--storage', max, '--top', '1.5')).rejects.toThrow(/--top must be a whole number/);
    });
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
