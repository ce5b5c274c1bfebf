/**
 * Auditing a stored IB trial (`studyopt verify`, `studyopt backtest --study-name`): run it again
 * with everything the study recorded and compare with what it stored: every metric, and, for
 * the best trial of a CLI run, the trade list trade by trade. When they differ, say what changed
 * since the trial ran: the data (its fingerprint, src/study-data.ts), the symbol's definition, or
 * the studyopt version and Node (src/study-software.ts).
 */
import type { FrozenTrial } from '../../src/frozen-trial.js';
import type { Storage } from '../../src/storage/storage.js';
import { dataOfTrial, describeData } from '../../src/study-data.js';
import { STUDYOPT_VERSION, softwareOfTrial } from '../../src/study-software.js';
import type { IbMetrics } from './metrics.js';
import { type IbRerun, ibSettingsOf, rerunIbTrial } from './study-settings.js';
import { getSymbol } from './symbols.js';
import { epochDayToIso } from './timezone.js';
import type { Trade } from './trade.js';

/** Study system attribute: the best trial's trade list, recorded at the end of each CLI run. */
export const BEST_TRADES_KEY = 'studyopt:best-trades';

export interface RecordedTrades {
  readonly trial: number;
  readonly trades: readonly Trade[];
}

/** The stored metrics that differ from a re-run's, one line each. */
export function metricDifferences(stored: Readonly<Record<string, unknown>>, metrics: IbMetrics): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(metrics)) {
    if (k in stored && !Object.is(stored[k], v)) out.push(`${k}: stored ${JSON.stringify(stored[k])}, now ${JSON.stringify(v)}`);
  }
  return out;
}

/** The first trade that differs (or the counts), or null when the lists are the same. */
export function firstTradeDifference(stored: readonly Trade[], now: readonly Trade[]): string | null {
  const n = Math.min(stored.length, now.length);
  for (let i = 0; i < n; i++) {
    const a = stored[i];
    const b = now[i];
    const fields = (Object.keys(a) as (keyof Trade)[]).filter((k) => !Object.is(a[k], b[k]));
    if (fields.length > 0) {
      return `trade ${i + 1} (${epochDayToIso(a.day)}) differs in ${fields.map((k) => `${k} (stored ${JSON.stringify(a[k])}, now ${JSON.stringify(b[k])})`).join(', ')}`;
    }
  }
  if (stored.length !== now.length) return `${stored.length} trades stored, ${now.length} now (the first ${n} are the same)`;
  return null;
}

/**
 * Records the best trial's trades with the study, unless already recorded for that trial. Only
 * a re-run that reproduces the trial's metrics is recorded; returns whether one was.
 */
export function recordBestTrades(storage: Storage, studyId: number): boolean {
  const best = storage.getBestTrial(studyId);
  if (!best) return false;
  const attrs = storage.getStudySystemAttrs(studyId);
  if ((attrs[BEST_TRADES_KEY] as RecordedTrades | undefined)?.trial === best.number) return false;
  const settings = ibSettingsOf(attrs);
  if (!settings) return false;
  const rerun = rerunIbTrial(settings, best.params, { expectedData: dataOfTrial(attrs, best.number) });
  if (metricDifferences(best.userAttrs, rerun.metrics).length > 0) return false;
  const recorded: RecordedTrades = { trial: best.number, trades: rerun.trades };
  storage.setStudySystemAttr(studyId, BEST_TRADES_KEY, recorded);
  return true;
}

export interface IbVerification {
  readonly trial: number;
  readonly reproduced: boolean;
  readonly metricDifferences: readonly string[];
  /** The trade-by-trade check: null where the study recorded no trade list for this trial. */
  readonly trades: { readonly count: number; readonly difference: string | null } | null;
  /** What changed since the trial ran (the likely causes of a difference). */
  readonly changes: readonly string[];
  readonly rerun: IbRerun;
}

/** Runs a stored trial again and compares it with what the study stored. */
export function verifyIbTrial(systemAttrs: Readonly<Record<string, unknown>>, trial: FrozenTrial): IbVerification {
  const settings = ibSettingsOf(systemAttrs);
  if (!settings) throw new Error('verifyIbTrial: not an IB study');
  const expectedData = dataOfTrial(systemAttrs, trial.number);
  const rerun = rerunIbTrial(settings, trial.params, { expectedData, acceptDataChange: true, acceptSymbolChange: true });
  const changes: string[] = [];
  if (!expectedData) changes.push('the study recorded no data fingerprint for this trial: the data cannot be checked');
  else if (expectedData.hash !== rerun.fingerprint.hash) changes.push(`the data: the trial ran on ${describeData(expectedData)}; the data now is ${describeData(rerun.fingerprint)}`);
  const symbolNow = getSymbol(settings.symbol) as unknown as Record<string, unknown>;
  const symbolThen = settings.symbolSpec as unknown as Record<string, unknown>;
  const symbolFields = [...new Set([...Object.keys(symbolThen), ...Object.keys(symbolNow)])].filter((k) => JSON.stringify(symbolThen[k]) !== JSON.stringify(symbolNow[k]));
  if (symbolFields.length > 0) {
    changes.push(`the definition of ${settings.symbol} (symbols.json): ${symbolFields.map((k) => `${k} was ${JSON.stringify(symbolThen[k])}, now ${JSON.stringify(symbolNow[k])}`).join('; ')}`);
  }
  const software = softwareOfTrial(systemAttrs, trial.number);
  if (!software) changes.push(`the study recorded no studyopt version for this trial (this is studyopt ${STUDYOPT_VERSION})`);
  else if (software.studyopt !== STUDYOPT_VERSION || software.node !== process.version) {
    changes.push(`the software: the trial ran under studyopt ${software.studyopt} on Node ${software.node}; this is studyopt ${STUDYOPT_VERSION} on Node ${process.version}`);
  }
  const diffs = metricDifferences(trial.userAttrs, rerun.metrics);
  const recorded = systemAttrs[BEST_TRADES_KEY] as RecordedTrades | undefined;
  const trades = recorded && recorded.trial === trial.number ? { count: recorded.trades.length, difference: firstTradeDifference(recorded.trades, rerun.trades) } : null;
  return { trial: trial.number, reproduced: diffs.length === 0 && (trades === null || trades.difference === null), metricDifferences: diffs, trades, changes, rerun };
}
