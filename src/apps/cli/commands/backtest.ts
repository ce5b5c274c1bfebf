/**
 * `studyopt backtest`: one IB parameter set over a symbol's data, printing metrics and trades;
 * or, with `--study-name` (and `--trial N`, the best by default), a stored trial run again with
 * everything it ran with: its parameters completed by the study's settings, the study's symbol
 * definition, date range and engine settings, on data checked against the trial's fingerprint.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import type { FrozenTrial } from '../../../frozen-trial.js';
import { type DataFingerprint, dataOfTrial, describeData } from '../../../study-data.js';
import { BASKET_METRICS_PREFIX, memberTrialParams } from '../../../../studies/ib/basket.js';
import { type IbBasketSettings, ibBasketSettingsOf, memberSettings } from '../../../../studies/ib/basket-settings.js';
import { loadSymbolData } from '../../../../studies/ib/data/store.js';
import { IbEngine } from '../../../../studies/ib/engine/engine.js';
import type { IbMetrics } from '../../../../studies/ib/metrics.js';
import { type IbParams, resolveParams } from '../../../../studies/ib/params.js';
import { metricDifferences } from '../../../../studies/ib/audit.js';
import { type IbStudySettings, ibSettingsOf, rerunIbTrial } from '../../../../studies/ib/study-settings.js';
import type { SymbolSpec } from '../../../../studies/ib/symbols.js';
import { OffsetTable, epochDayToIso, formatLocalMinute } from '../../../../studies/ib/timezone.js';
import type { Trade } from '../../../../studies/ib/trade.js';
import { ACCEPT_DATA_FLAG } from '../cli-study.js';
import { announceSyntheticData } from '../synthetic-notice.js';
import { openStorage, resolveStudy, trialOrBest } from './storage-options.js';

interface BacktestArgs {
  symbol?: string;
  params?: string;
  from?: string;
  to?: string;
  json: boolean;
  balance?: number;
  risk?: number;
  studyName?: string;
  trial?: number;
  storage?: string;
  acceptNewData: boolean;
}

interface Result {
  symbol: SymbolSpec;
  params: IbParams;
  metrics: IbMetrics;
  trades: Trade[];
  /** For a stored trial: which, and what it stored. */
  stored?: { study: string; trial: FrozenTrial; data: string | null; folds: string | null; metrics: Readonly<Record<string, unknown>> };
}

const iso = (minute: number) => new Date(minute * 60_000).toISOString();

const command: CommandModule<object, BacktestArgs> = {
  command: 'backtest',
  describe: 'run one IB parameter set, or a stored trial again (--study-name, --trial), and print its metrics and trade list',
  builder: (y: Argv) =>
    y
      .option('symbol', { type: 'string', describe: 'symbol (default GER40; built-in synthetic data unless imported)' })
      .option('params', { type: 'string', describe: 'parameters as JSON, e.g. \'{"IB_WINDOW":"08:00-09:00","RR_TARGET":1.5}\' (those left out take defaults)' })
      .option('from', { type: 'string', describe: 'first trading day (YYYY-MM-DD)' })
      .option('to', { type: 'string', describe: 'last trading day (YYYY-MM-DD)' })
      .option('balance', { type: 'number', describe: 'initial balance for return % (default 100000)' })
      .option('risk', { type: 'number', describe: 'risk per trade in % of balance, for return % (default 1)' })
      .option('study-name', { type: 'string', describe: 'run a trial of this stored IB study again, with everything it ran with', group: 'Stored trial:' })
      .option('trial', { type: 'number', describe: 'the trial number (default: the best trial)', group: 'Stored trial:' })
      .option('storage', { type: 'string', describe: 'the study file (default ./studyopt.db)', group: 'Stored trial:' })
      .option('accept-new-data', { type: 'boolean', default: false, describe: "run a stored trial on today's data even when it differs from the data the trial ran on", group: 'Stored trial:' })
      .option('json', { type: 'boolean', default: false, describe: 'print { params, metrics, trades } as JSON' }) as unknown as Argv<BacktestArgs>,
  handler: async (args) => {
    if (args.balance !== undefined && !(args.balance > 0)) throw new UsageError(`--balance must be > 0, got ${args.balance}`);
    if (args.risk !== undefined && !(args.risk > 0 && args.risk <= 100)) throw new UsageError(`--risk must be in (0, 100], got ${args.risk}`);
    const stored = args.studyName !== undefined || args.trial !== undefined || args.storage !== undefined;
    const result = stored ? storedTrial(args) : givenParams(args);
    print(result, args.json);
  },
};

export default command;

function givenParams(args: BacktestArgs): Result {
  let input: unknown;
  try {
    input = JSON.parse(args.params ?? '{}');
  } catch (e) {
    throw new UsageError(`--params is not valid JSON (${(e as Error).message}); e.g. '{"RR_TARGET":1.5}'`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new UsageError('--params must be a JSON object of parameter names and values');
  }
  const symbol = args.symbol ?? 'GER40';
  announceSyntheticData(symbol, args.json);
  const sd = loadSymbolData(symbol, { from: args.from, to: args.to });
  const params = resolveParams(sd.data.symbol, input as Record<string, unknown>);
  const engine = new IbEngine(sd.data);
  const { metrics, trades = [] } = engine.run(params, {
    dayFrom: sd.dayFrom,
    dayTo: sd.dayTo,
    trades: true,
    initialBalance: args.balance,
    riskPct: args.risk,
  });
  return { symbol: sd.data.symbol, params, metrics, trades };
}

/** A stored trial: everything but the data comes from the study; the data must be the trial's. */
function storedTrial(args: BacktestArgs): Result {
  const storage = openStorage(args.storage ?? './studyopt.db');
  try {
    const { id, name } = resolveStudy(storage, args.studyName);
    const systemAttrs = storage.getStudySystemAttrs(id);
    const basket = ibBasketSettingsOf(systemAttrs);
    // A basket trial runs on one of its symbols at a time: --symbol says which.
    for (const flag of ['params', 'symbol', 'from', 'to', 'balance', 'risk'] as const) {
      if (args[flag] !== undefined && !(basket && flag === 'symbol')) {
        throw new UsageError(`--${flag} does not go with --study-name/--trial: a stored trial runs with what its study stored (leave --${flag} out, or leave out --study-name to run given parameters)`);
      }
    }
    const member = basket ? basketMember(basket, name, args.symbol) : null;
    const settings = member?.settings ?? ibSettingsOf(systemAttrs);
    if (!settings) throw new UsageError(`study '${name}' is not an IB study: only IB trials can be back-tested`);
    const trial = trialOrBest(storage, id, name, args.trial);
    if (Object.keys(trial.params).length === 0) throw new UsageError(`trial ${trial.number} of study '${name}' has no parameters (state ${trial.state}): nothing to run`);
    const trialData = dataOfTrial(systemAttrs, trial.number);
    const expected = member ? basketMemberData(trialData, member.settings.symbol) : trialData;
    const params = member ? memberTrialParams(trial.params, member.settings.symbol) : trial.params;
    const rerun = rerunIbTrial(settings, params, { expectedData: expected, acceptDataChange: args.acceptNewData, acceptHint: ACCEPT_DATA_FLAG });
    const storedMetrics = member ? ((trial.userAttrs[`${BASKET_METRICS_PREFIX}${member.settings.symbol}`] as Record<string, unknown> | undefined) ?? {}) : trial.userAttrs;
    return {
      symbol: rerun.data.data.symbol,
      params: rerun.params,
      metrics: rerun.metrics,
      trades: rerun.trades,
      stored: { study: name, trial, data: expected ? describeData(expected) : null, folds: settings.folds, metrics: storedMetrics },
    };
  } finally {
    storage.close();
  }
}

/** The symbol of a basket study that `--symbol` names (required: a basket trial runs on one symbol at a time). */
function basketMember(basket: IbBasketSettings, study: string, symbol: string | undefined): { settings: IbStudySettings } {
  if (symbol === undefined) throw new UsageError(`study '${study}' is a basket of ${basket.symbols.join(', ')}: say which symbol to run the trial on with --symbol ${basket.symbols[0]}`);
  const settings = memberSettings(basket, symbol);
  if (!settings) throw new UsageError(`--symbol ${symbol} is not in the basket of study '${study}': use one of ${basket.symbols.join(', ')}`);
  return { settings };
}

/** One symbol's part of a basket trial's data fingerprint (basket.ts dataFingerprint). */
function basketMemberData(data: DataFingerprint | null, symbol: string): DataFingerprint | null {
  const members = (data as { members?: DataFingerprint[] } | null)?.members;
  return members?.find((m) => (m as { symbol?: string }).symbol === symbol) ?? null;
}

/** The metrics a stored trial recorded that differ from the re-run's (none when it reproduced). */
function print(r: Result, json: boolean): void {
  // Times on the exchange's clock (the symbol's IB time zone) as well as in UTC.
  const zone = r.symbol.timezone;
  const local = new OffsetTable(zone);
  const rows = r.trades.map((t) => ({
    day: epochDayToIso(t.day),
    signal: t.signal,
    direction: t.direction,
    entryTime: iso(t.entryTime),
    entryLocal: formatLocalMinute(t.entryTime, local),
    entryPrice: t.entryPrice,
    stop: t.stop,
    exitTime: iso(t.exitTime),
    exitLocal: formatLocalMinute(t.exitTime, local),
    exitPrice: t.exitPrice,
    r: t.r,
  }));
  const diffs = r.stored ? metricDifferences(r.stored.metrics, r.metrics) : [];
  if (json) {
    const stored = r.stored ? { study: r.stored.study, trial: r.stored.trial.number, reproduced: diffs.length === 0, differences: diffs } : undefined;
    process.stdout.write(`${JSON.stringify({ symbol: r.symbol.name, timeZone: zone, params: r.params, metrics: r.metrics, ...(stored ? { stored } : {}), trades: rows })}\n`);
    return;
  }
  const out: string[] = [];
  if (r.stored) {
    out.push(`trial ${r.stored.trial.number} of study '${r.stored.study}', run again with everything it ran with`);
    out.push(`  data: ${r.stored.data ?? 'not recorded with the study'}`);
    // A cross-validated study's metrics cover its folds' out-of-sample days only.
    if (r.stored.folds) out.push(`  days: the out-of-sample days of its folds (${r.stored.folds})`);
  }
  out.push(`${r.symbol.name} ${JSON.stringify(r.params)}`, '');
  for (const [k, v] of Object.entries(r.metrics)) out.push(`  ${k.padEnd(18)} ${v}`);
  if (r.stored) {
    out.push('', diffs.length === 0 ? 'reproduced: every metric equals the stored one' : `NOT reproduced: ${diffs.join('; ')}`);
  }
  out.push('', `times: ${zone} (the exchange's clock), then UTC`);
  out.push(
    ['day'.padEnd(10), 'signal  ', 'dir   ', 'entry (local)'.padEnd(16), 'UTC  ', 'entry'.padStart(11), 'stop'.padStart(11), 'exit (local)'.padEnd(16), 'UTC  ', 'exit'.padStart(11), 'R'.padStart(7)].join(' '),
  );
  const hhmm = (isoTime: string) => isoTime.slice(11, 16);
  for (const t of rows) {
    out.push(
      [t.day, t.signal.padEnd(8), t.direction.padEnd(6), t.entryLocal, hhmm(t.entryTime).padEnd(5), t.entryPrice.toFixed(4).padStart(11), t.stop.toFixed(4).padStart(11),
        t.exitLocal, hhmm(t.exitTime).padEnd(5), t.exitPrice.toFixed(4).padStart(11), t.r.toFixed(3).padStart(7)].join(' '),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
