/**
 * The IB part of a report: the best trial's parameters re-run through the engine with the trade
 * list, for its equity curve, drawdown, trades and the breakdown by signal type (variation).
 */
import type { IbRerun, IbStudySettings } from '../../../studies/ib/study-settings.js';
import { OffsetTable, formatLocalMinute } from '../../../studies/ib/timezone.js';
import { type Chart, type Section, htmlTable } from './page.js';

/** What the IB sections show of the best trial's re-run (study-settings.ts rerunIbTrial). */
export type IbReplay = Pick<IbRerun, 'params' | 'metrics' | 'trades'>;

function isoMinute(utcMinutes: number): string {
  return new Date(utcMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The IB sections of the report for a re-run trial: the best one in the report, any one in the
 * dashboard (`options.best` false). Trade times are shown in the symbol's
 * own time zone (`config.symbolSpec.timezone`, the exchange's wall clock the IB windows are set
 * in) first, and in UTC.
 */
export function ibSections(replay: IbReplay, trialNumber: number, config: IbStudySettings, options: { best: boolean } = { best: true }): Section[] {
  const which = options.best ? 'the best trial' : 'trial';
  const zone = config.symbolSpec.timezone;
  const offsets = new OffsetTable(zone);
  const local = (utcMinute: number) => formatLocalMinute(utcMinute, offsets);
  let cum = 0;
  let peak = 0;
  const equity = replay.trades.map((t, i) => {
    cum += t.r;
    peak = Math.max(peak, cum);
    return { n: i + 1, time: isoMinute(t.exitTime), local: local(t.exitTime), equity: Number(cum.toFixed(4)), drawdown: Number((cum - peak).toFixed(4)) };
  });
  // Tooltips name the exit time both ways; the zone is a title (user data never becomes a field).
  const timeTips = [{ field: 'local', title: `exit (${zone})` }, { field: 'time', title: 'exit (UTC)' }];
  const charts: Chart[] = [
    {
      title: 'Equity curve',
      note: `Cumulative R of ${which} (#${trialNumber}) trade by trade, re-run through the engine.`,
      spec: {
        width: 560,
        height: 220,
        data: { values: equity },
        mark: { type: 'line', color: '#1a7f37' },
        encoding: {
          x: { field: 'time', type: 'temporal', title: 'exit time (UTC)' },
          y: { field: 'equity', type: 'quantitative', title: 'cumulative R' },
          tooltip: [{ field: 'n', title: 'trade' }, ...timeTips, { field: 'equity', title: 'cumulative R' }],
        },
      },
    },
    {
      title: 'Drawdown',
      note: 'Distance of cumulative R below its running peak.',
      spec: {
        width: 560,
        height: 160,
        data: { values: equity },
        mark: { type: 'area', color: '#cf222e', opacity: 0.6, line: { color: '#cf222e' } },
        encoding: {
          x: { field: 'time', type: 'temporal', title: 'exit time (UTC)' },
          y: { field: 'drawdown', type: 'quantitative', title: 'drawdown (R)' },
          tooltip: [{ field: 'n', title: 'trade' }, ...timeTips, { field: 'drawdown', title: 'drawdown (R)' }],
        },
      },
    },
  ];
  const bySignal = new Map<string, { trades: number; wins: number; losses: number; r: number }>();
  for (const t of replay.trades) {
    const s = bySignal.get(t.signal) ?? { trades: 0, wins: 0, losses: 0, r: 0 };
    s.trades++;
    if (t.r > 0) s.wins++;
    else if (t.r < 0) s.losses++;
    s.r += t.r;
    bySignal.set(t.signal, s);
  }
  const signalRows = [...bySignal.entries()].map(([signal, s]) => ({
    signal,
    trades: s.trades,
    winrate: s.wins + s.losses > 0 ? (100 * s.wins) / (s.wins + s.losses) : 0,
    totalR: Number(s.r.toFixed(3)),
    avgR: Number((s.r / s.trades).toFixed(3)),
  }));
  const variation: Chart = {
    title: 'Variation breakdown (signal type)',
    note: `Total R of ${which} per entry signal (Reverse, OCAE, TCWE, REV_RB); the label is the trade count.`,
    spec: {
      width: 360,
      height: { step: 28 },
      data: { values: signalRows },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'signal', type: 'nominal', title: null },
            x: { field: 'totalR', type: 'quantitative', title: 'total R' },
            color: { condition: { test: 'datum.totalR < 0', value: '#cf222e' }, value: '#1a7f37' },
            tooltip: [{ field: 'signal' }, { field: 'trades' }, { field: 'winrate', format: '.1f' }, { field: 'totalR' }, { field: 'avgR' }],
          },
        },
        { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y: { field: 'signal', type: 'nominal' }, x: { value: 0 }, text: { field: 'trades' } } },
      ],
    },
  };
  const signalTable = htmlTable(
    ['signal', 'trades', 'win rate %', 'total R', 'avg R'],
    signalRows.map((s) => [s.signal, s.trades, s.winrate.toFixed(1), s.totalR, s.avgR]),
  );
  const tradeColumns = [
    '#',
    `entry (${zone})`,
    'entry (UTC)',
    'signal',
    'side',
    'entry',
    'stop',
    'target',
    `exit (${zone})`,
    'exit (UTC)',
    'exit',
    'reason',
    'R',
  ];
  const rCol = tradeColumns.length - 1;
  const tradeTable = htmlTable(
    tradeColumns,
    replay.trades.map((t, i) => [
      i + 1,
      local(t.entryTime),
      isoMinute(t.entryTime),
      t.signal,
      t.direction,
      t.entryPrice.toFixed(2),
      t.stop.toFixed(2),
      t.target.toFixed(2),
      local(t.exitTime),
      isoMinute(t.exitTime),
      t.exitPrice.toFixed(2),
      t.exitReason,
      t.r.toFixed(3),
    ]),
    { scroll: true, className: (row, col) => (col === rCol ? (replay.trades[row].r >= 0 ? 'pos' : 'neg') : undefined) },
  );
  const paramTable = htmlTable(['parameter', 'value'], Object.entries(replay.params).map(([k, v]) => [k, String(v)]));
  const m = replay.metrics;
  return [
    {
      title: `${options.best ? 'Best trial' : 'Trial'} #${trialNumber}: equity and drawdown`,
      intro: `${m.total_trades} trades, total R ${m.total_r}, Sharpe ${m.sharpe_ratio}, win rate ${m.winrate}%, profit factor ${m.profit_factor}, max drawdown ${m.max_drawdown} R.`,
      charts,
      html: `<h3>Engine parameters</h3>${paramTable}`,
    },
    { title: 'Variation breakdown', charts: [variation], html: signalTable },
    {
      title: `Trades of trial #${trialNumber}`,
      intro: `${replay.trades.length} trades; times in ${zone} (the exchange's local time, which the IB windows use) and in UTC; R is the result in units of initial risk.`,
      html: tradeTable,
    },
  ];
}
