// The report's HTML without a browser: the best-parameters table (plain values, escaped), the
// data versions and IB settings in the summary, trade times in the symbol's local time and UTC,
// and the parallel-coordinates spec's label layout.
import { describe, expect, it } from 'vitest';
import type { ParamValue } from '../../src/distributions.js';
import { type IbReplay, ibSections } from '../../src/apps/report/ib-report.js';
import { renderStudyReport } from '../../src/apps/report/report.js';
import { PC_AXIS_STEP, parallelCoordinatesChart } from '../../src/apps/report/study-charts.js';
import { observationsOf } from '../../src/apps/report/importance.js';
import { type DataFingerprint, recordStudyData } from '../../src/study-data.js';
import { type Study, createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import type { IbMetrics } from '../../studies/ib/metrics.js';
import type { IbParams } from '../../studies/ib/params.js';
import { ibStudySettings } from '../../studies/ib/study-settings.js';
import type { Trade } from '../../studies/ib/trade.js';

const render = (study: Study) => renderStudyReport({ storage: study.storage, studyId: study.studyId });

/** The text of the page's summary (before the first section's heading), tags removed. */
function summaryText(html: string): string {
  const start = html.indexOf('<main>');
  const main = html.slice(start, html.indexOf('<h2>', start));
  return main.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

/** The cells of the table following the `<h3>` titled `title`. */
function tableAfter(html: string, title: string): string[][] {
  const at = html.indexOf(`<h3>${title}</h3>`, html.indexOf('<main>'));
  expect(at, title).toBeGreaterThan(-1);
  const table = html.slice(at, html.indexOf('</table>', at));
  return [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]));
}

async function studyWith(values: Record<string, ParamValue>, nTrials = 3): Promise<Study> {
  const study = createStudy({ studyName: 'plain values', direction: 'minimize', sampler: new RandomSampler({ seed: 1 }) });
  await study.optimize(
    (trial) => {
      for (const [name, v] of Object.entries(values)) trial.suggestCategorical(name, [v]);
      return trial.suggestFloat('x', 0, 1);
    },
    { nTrials },
  );
  return study;
}

describe('best parameters table', () => {
  it('shows strings without JSON quotes, booleans and numbers as text, null as a dash, all escaped', async () => {
    const html = render(await studyWith({ IB_WINDOW: '08:00-09:00', REV_RB_ENABLED: true, RR_TARGET: 1.5, NOTHING: null, markup: '<b>"x"</b>' }));
    const rows = Object.fromEntries(tableAfter(html, 'Best parameters').slice(1).map(([k, v]) => [k, v]));
    expect(rows.IB_WINDOW).toBe('08:00-09:00');
    expect(rows.REV_RB_ENABLED).toBe('true');
    expect(rows.RR_TARGET).toBe('1.5');
    expect(rows.NOTHING).toBe('—');
    expect(rows.markup).toBe('&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(Number(rows.x)).toBeGreaterThanOrEqual(0);
    expect(html).not.toContain('&quot;08:00-09:00&quot;');
  });
});

function fingerprint(seed: number, hash: string): DataFingerprint {
  const source = `synthetic (seed ${seed}, 2.5 years to 2025-06-30)`;
  return { summary: `GER40: ${source}, 2023-01-02 to 2025-06-30, 650 trading days, 596,400 bars`, hash, symbol: 'GER40', source, first: '2023-01-02', last: '2025-06-30', days: 650, bars: 596_400 };
}

async function runTrials(study: Study, n: number, best?: number): Promise<void> {
  await study.optimize((trial) => {
    trial.suggestFloat('x', 0, 1);
    return trial.number === best ? -1 : trial.number;
  }, { nTrials: n });
}

describe('the data in the summary', () => {
  it('one data version: its source, dates, days, bars, hash, and the trials run on it', async () => {
    const study = createStudy({ studyName: 'one version', direction: 'minimize', sampler: new RandomSampler({ seed: 1 }) });
    recordStudyData(study.storage, study.studyId, 'one version', fingerprint(1, 'a'.repeat(64)));
    await runTrials(study, 4);
    const html = render(study);
    const text = summaryText(html);
    expect(text).toContain('Data: GER40: synthetic (seed 1, 2.5 years to 2025-06-30), 2023-01-02 to 2025-06-30, 650 trading days, 596,400 bars (data aaaaaaaaaaaa); every trial ran on it.');
    expect(text).not.toMatch(/mixes data/);
    const table = tableAfter(html, 'Data');
    expect(table[0]).toEqual(['version', 'symbol', 'source', 'dates', 'trading days', 'bars', 'data hash', 'trials run on it']);
    expect(table[1]).toEqual(['1', 'GER40', 'synthetic (seed 1, 2.5 years to 2025-06-30)', '2023-01-02 – 2025-06-30', '650', '596,400', 'aaaaaaaaaaaa', '#0 on (4 trials; best trial #0)']);
  });

  it('two data versions: says the study mixes data, and which trials (and the best) ran on which', async () => {
    const study = createStudy({ studyName: 'two versions', direction: 'minimize', sampler: new RandomSampler({ seed: 1 }) });
    recordStudyData(study.storage, study.studyId, 'two versions', fingerprint(1, 'a'.repeat(64)));
    await runTrials(study, 5);
    expect(recordStudyData(study.storage, study.studyId, 'two versions', fingerprint(2, 'b'.repeat(64)), { acceptChange: true })).toBe('changed');
    await runTrials(study, 3, 6);
    const html = render(study);
    const text = summaryText(html);
    expect(text).toContain('This study mixes data: its trials ran on 2 different data versions (below). Compare trials only within one version; the best trial #6 ran on version 2.');
    expect(html).toContain('<p class="warn">');
    const table = tableAfter(html, 'Data');
    expect(table.slice(1).map((r) => [r[0], r[2], r[6], r[7]])).toEqual([
      ['1', 'synthetic (seed 1, 2.5 years to 2025-06-30)', 'aaaaaaaaaaaa', '#0–#4 (5 trials)'],
      ['2', 'synthetic (seed 2, 2.5 years to 2025-06-30)', 'bbbbbbbbbbbb', '#5 on (3 trials; best trial #6)'],
    ]);
  });

  it('a study without recorded data says so; a fingerprint without IB fields shows its summary', async () => {
    const bare = createStudy({ studyName: 'no data', direction: 'minimize' });
    await runTrials(bare, 2);
    expect(summaryText(render(bare))).toContain('Data: not recorded');
    const other = createStudy({ studyName: 'other data', direction: 'minimize' });
    recordStudyData(other.storage, other.studyId, 'other data', { summary: 'prices.csv, 3 rows', hash: 'c'.repeat(64) });
    await runTrials(other, 2);
    const table = tableAfter(render(other), 'Data');
    expect(table).toEqual([
      ['version', 'data', 'data hash', 'trials run on it'],
      ['1', 'prices.csv, 3 rows', 'cccccccccccc', '#0 on (2 trials; best trial #0)'],
    ]);
  });

  it('an IB study also shows its settings: symbol, grid, date range, minimum trades', async () => {
    const study = createStudy({ studyName: 'ib settings', direction: 'maximize' });
    // No trial, so nothing is re-run: the summary is what is tested.
    study.setSystemAttr('studyopt:config', { ...ibStudySettings({ symbol: 'XAUUSD', grid: 'standard', objective: 'sharpe', minTrades: 25, from: '2024-01-02', to: '2024-06-28' }) });
    const text = summaryText(render(study));
    expect(text).toContain('IB settings');
    expect(text).toContain('symbol XAUUSD (time zone Asia/Tokyo; IB windows 09:00-09:30, 09:00-10:00, 10:00-10:30)');
    expect(text).toContain('grid standard (the value lists searched)');
    expect(text).toContain('date range 2024-01-02 to 2024-06-28');
    expect(text).toContain('min trades 25');
  });
});

const utc = (iso: string) => Date.parse(`${iso}:00Z`) / 60_000;

function fakeReplay(trades: Array<Pick<Trade, 'entryTime' | 'exitTime' | 'r'>>): IbReplay {
  return {
    params: {} as IbParams,
    metrics: { total_trades: trades.length, total_r: 0, sharpe_ratio: 0, winrate: 0, profit_factor: 0, max_drawdown: 0 } as unknown as IbMetrics,
    trades: trades.map((t) => ({ day: 0, signal: 'Reverse', direction: 'long', entryPrice: 100, stop: 99, target: 102, exitPrice: 101, exitReason: 'target', profit: 1, ...t }) as Trade),
  };
}

describe('IB trade times', () => {
  it("the trade table shows entry and exit in the symbol's time zone first, then UTC (across a DST change)", () => {
    const replay = fakeReplay([
      { entryTime: utc('2024-03-29T08:05'), exitTime: utc('2024-03-29T10:00'), r: 1 }, // CET, +1 h
      { entryTime: utc('2024-04-02T07:05'), exitTime: utc('2024-04-02T20:59'), r: -1 }, // CEST, +2 h
    ]);
    const sections = ibSections(replay, 7, ibStudySettings({ symbol: 'GER40', grid: 'standard', objective: 'sharpe' }));
    const trades = sections.find((s) => s.title === 'Trades of trial #7')!;
    expect(trades.intro).toMatch(/times in Europe\/Berlin .* and in UTC/);
    const rows = [...trades.html!.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]));
    expect(rows[0]).toEqual(['#', 'entry (Europe/Berlin)', 'entry (UTC)', 'signal', 'side', 'entry', 'stop', 'target', 'exit (Europe/Berlin)', 'exit (UTC)', 'exit', 'reason', 'R']);
    expect(rows[1].slice(0, 3)).toEqual(['1', '2024-03-29 09:05', '2024-03-29 08:05']);
    expect(rows[1].slice(8, 10)).toEqual(['2024-03-29 11:00', '2024-03-29 10:00']);
    expect(rows[2].slice(0, 3)).toEqual(['2', '2024-04-02 09:05', '2024-04-02 07:05']);
    expect(rows[2].slice(8, 10)).toEqual(['2024-04-02 22:59', '2024-04-02 20:59']);
    expect(trades.html).toMatch(/<td class="neg">-1\.000<\/td>/);
  });

  it("the equity and drawdown tooltips give the exit time in the symbol's zone and in UTC", () => {
    const replay = fakeReplay([{ entryTime: utc('2024-12-31T00:10'), exitTime: utc('2024-12-31T15:30'), r: 2 }]);
    const [first] = ibSections(replay, 1, ibStudySettings({ symbol: 'XAUUSD', grid: 'standard', objective: 'sharpe' }));
    for (const chart of first.charts!) {
      const spec = chart.spec as { data: { values: Array<Record<string, unknown>> }; encoding: { tooltip: Array<{ field: string; title?: string }> } };
      expect(spec.data.values[0]).toMatchObject({ time: '2024-12-31 15:30', local: '2025-01-01 00:30' });
      expect(spec.encoding.tooltip).toEqual(expect.arrayContaining([{ field: 'local', title: 'exit (Asia/Tokyo)' }, { field: 'time', title: 'exit (UTC)' }]));
    }
  });
});

describe('parallel coordinates layout', () => {
  it('twelve long parameter names: a step of width per axis, names slanted and never cut short, end values limited to the step', async () => {
    const names = ['TRADE_WINDOW_MINUTES', 'MAX_DISTANCE_PCT', 'IB_WINDOW', 'REV_RB_ENABLED', 'RR_TARGET', 'IB_BUFFER_PCT', 'TSL_SL', 'IB_WAIT_MINUTES', 'TSL_TARGET', 'STOP_MODE', 'REV_RB_PCT', 'A_VERY_LONG_PARAMETER_NAME_INDEED'];
    const study = createStudy({ studyName: 'pc', direction: 'maximize', sampler: new RandomSampler({ seed: 1 }) });
    await study.optimize((t) => names.reduce((s, n, i) => s + t.suggestFloat(n, 0, 1000 * (i + 1)), 0), { nTrials: 20 });
    const complete = study.storage.getAllTrials(study.studyId).filter((t) => t.state === 'COMPLETE');
    const { distributions } = observationsOf(complete);
    const chart = parallelCoordinatesChart({ direction: 'maximize', complete, distributions }, names);
    const spec = chart.spec as { width: number; layer: Array<{ mark: Record<string, unknown>; encoding: { x: { axis?: Record<string, unknown> } } }> };
    expect(spec.width / names.length).toBeGreaterThanOrEqual(90);
    const axis = spec.layer[0].encoding.x.axis!;
    expect(axis.labelAngle).toBeGreaterThanOrEqual(-45);
    expect(axis.labelAngle).toBeLessThanOrEqual(-30);
    expect(axis.labelLimit).toBe(0); // no ellipsis: the full name
    const ends = spec.layer.slice(1);
    expect(ends).toHaveLength(2);
    for (const e of ends) expect(e.mark.limit).toBeLessThanOrEqual(PC_AXIS_STEP - 8);
    // End values are numbers to 4 significant digits, not 17-digit floats.
    const texts = ends.flatMap((e) => (e as unknown as { data: { values: Array<{ text: string }> } }).data.values.map((v) => v.text));
    expect(texts).toHaveLength(2 * names.length);
    for (const t of texts) expect(t).toBe(String(Number(Number(t).toPrecision(4))));
  });
});
