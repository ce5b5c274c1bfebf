/**
 * The dashboard's JSON API: what the pages read. Every answer is computed from the store on
 * request, through reads that do not grow with the study (summaries from the stores' indexes,
 * one page of trials, one trial); the study page's charts are the static report's, built on
 * request. Numbers that JSON cannot hold (±Infinity, NaN) travel as the strings "Infinity",
 * "-Infinity" and "NaN".
 */
import type { FrozenTrial, TrialState } from '../../frozen-trial.js';
import type { Storage, StudySummary } from '../../storage/storage.js';
import { queryTrials } from '../../storage/trial-query.js';
import { metricNames } from '../cli/commands/storage-options.js';
import { objectiveNames } from '../../pareto-pick.js';
import { ibSettingsOf } from '../../../studies/ib/study-settings.js';
import type { FinishRate } from './finish-rate.js';
import { studyIdOf, trialQueryOf } from './request-params.js';

/** A study counts as running while it has RUNNING trials and was active this recently. */
const ACTIVE_MS = 120_000;

/** JSON text with non-finite numbers as strings (see the file comment). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** A trial as the pages show it. */
export interface TrialRow {
  number: number;
  state: TrialState;
  values: readonly number[] | null;
  params: Record<string, unknown>;
  userAttrs: Record<string, unknown>;
  datetimeStart: string | null;
  datetimeComplete: string | null;
  seconds: number | null;
}

export function trialRow(t: FrozenTrial): TrialRow {
  return {
    number: t.number,
    state: t.state,
    values: t.values,
    params: t.params,
    userAttrs: t.userAttrs,
    datetimeStart: t.datetimeStart?.toISOString() ?? null,
    datetimeComplete: t.datetimeComplete?.toISOString() ?? null,
    seconds: t.datetimeStart && t.datetimeComplete ? (t.datetimeComplete.getTime() - t.datetimeStart.getTime()) / 1000 : null,
  };
}

function finishedOf(s: StudySummary): number {
  return s.countsByState.COMPLETE + s.countsByState.PRUNED + s.countsByState.FAIL;
}

/** Every study: state, trial counts, best value, finish rate, last activity. */
export function studiesPayload(storage: Storage, rates: FinishRate, now = Date.now()): unknown {
  const studies = storage.getAllStudies();
  rates.keepOnly(new Set(studies.map((s) => s.studyId)));
  return {
    where: storage.where ?? null,
    studies: studies.map((s) => {
      const best = s.directions.length === 1 ? storage.getBestTrial(s.studyId) : null;
      const active = s.countsByState.RUNNING > 0 && s.lastActivity !== null && now - s.lastActivity.getTime() < ACTIVE_MS;
      return {
        name: s.studyName,
        directions: s.directions,
        objectives: objectiveNames(s.directions, metricNames(s.systemAttrs, s.directions.length)),
        state: active ? 'running' : s.countsByState.WAITING > 0 ? 'waiting' : 'idle',
        trials: s.nTrials,
        counts: s.countsByState,
        finished: finishedOf(s),
        perSecond: rates.record(s.studyId, finishedOf(s), now),
        best: best ? { number: best.number, value: best.values?.[0] ?? null } : null,
        datetimeStart: s.datetimeStart?.toISOString() ?? null,
        lastActivity: s.lastActivity?.toISOString() ?? null,
      };
    }),
  };
}

/** One study: its directions and objective names, counts, best trial and parameter names. */
export function studyPayload(storage: Storage, name: string): unknown {
  const id = studyIdOf(storage, name);
  const summary = storage.getAllStudies().find((s) => s.studyId === id)!;
  const best = summary.directions.length === 1 ? storage.getBestTrial(id) : null;
  // The parameter and attribute names of the latest trials: enough to lay out the table.
  const latest = queryTrials(storage, id, { limit: 20, descending: true });
  const paramNames = new Set<string>();
  const attrNames = new Set<string>();
  for (const t of latest.trials) {
    for (const k of Object.keys(t.params)) paramNames.add(k);
    for (const [k, v] of Object.entries(t.userAttrs)) if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') attrNames.add(k);
  }
  return {
    name: summary.studyName,
    directions: summary.directions,
    objectives: objectiveNames(summary.directions, metricNames(summary.systemAttrs, summary.directions.length)),
    trials: summary.nTrials,
    counts: summary.countsByState,
    best: best ? trialRow(best) : null,
    paramNames: [...paramNames],
    attrNames: [...attrNames],
    ib: ibSettingsOf(summary.systemAttrs) !== null,
    lastActivity: summary.lastActivity?.toISOString() ?? null,
  };
}

/** One page of a study's trials (request-params.ts reads the query). */
export function trialsPayload(storage: Storage, name: string, url: URL): unknown {
  const id = studyIdOf(storage, name);
  const query = trialQueryOf(url, storage.getStudyDirections(id).length);
  const page = queryTrials(storage, id, query);
  return { total: page.total, offset: query.offset ?? 0, limit: query.limit, trials: page.trials.map(trialRow) };
}
