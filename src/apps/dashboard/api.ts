/**
 * The dashboard's JSON API: what the pages read. Every answer is computed from the store on
 * request, through reads that do not grow with the study (summaries from the stores' indexes,
 * one page of trials, one trial); the study page's charts are the static report's, built on
 * request. Numbers that JSON cannot hold (±Infinity, NaN) travel as the strings "Infinity",
 * "-Infinity" and "NaN".
 */
import { type FrozenTrial, type TrialState, TRIAL_STATES } from '../../frozen-trial.js';
import type { Storage, StudySummary } from '../../storage/storage.js';
import { queryTrials } from '../../storage/trial-query.js';
import { metricNames } from '../cli/commands/storage-options.js';
import { type RunTarget, runTargetOf } from '../cli/run-target.js';
import { objectiveNames } from '../../pareto-pick.js';
import { ibSettingsOf } from '../../../studies/ib/study-settings.js';
import type { FinishRate } from './finish-rate.js';
import { NotFoundError, studyIdOf, trialQueryOf } from './request-params.js';
import type { StudyState } from './study-watch.js';
import type { StudyWatches } from './study-watches.js';
import type { ValueRankings } from './value-ranking.js';
import { readTrialsById } from '../../storage/objective-values.js';

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

function finishedOf(counts: Readonly<Record<TrialState, number>>): number {
  return counts.COMPLETE + counts.PRUNED + counts.FAIL;
}

/**
 * Progress against the target of the last `optimize --trials` run (run-target.ts): finished
 * (COMPLETE or PRUNED) trials of the target, a grid's coverage, and the seconds left at the
 * present rate; nulls where unknown.
 */
function progressOf(counts: Readonly<Record<TrialState, number>>, target: RunTarget | null, perSecond: number | null): { target: number | null; coverage: number | null; etaSeconds: number | null } {
  const done = counts.COMPLETE + counts.PRUNED;
  if (!target) return { target: null, coverage: null, etaSeconds: null };
  const left = Math.max(0, target.finished - done);
  return {
    target: target.finished,
    coverage: target.searchSize ? Math.min(1, done / target.searchSize) : null,
    etaSeconds: left === 0 ? 0 : perSecond && perSecond > 0 ? left / perSecond : null,
  };
}

/** Every study: state, trial counts, progress, best value, finish rate, last activity. */
export function studiesPayload(storage: Storage, opening: number, watches: StudyWatches, rates: FinishRate, now = Date.now()): unknown {
  const studies = storage.getAllStudies();
  rates.keepOnly(new Set(studies.map((s) => s.studyId)));
  return {
    where: storage.where ?? null,
    studies: studies.map((s: StudySummary) => {
      // The summary's counts are this moment's; the best comes from the study's watch, which
      // follows it instead of searching its values each time.
      const best = watches.watchOf(storage, opening, s.studyName, now)?.state().best ?? null;
      const active = s.countsByState.RUNNING > 0 && s.lastActivity !== null && now - s.lastActivity.getTime() < ACTIVE_MS;
      const perSecond = rates.record(s.studyId, finishedOf(s.countsByState), now);
      return {
        name: s.studyName,
        directions: s.directions,
        objectives: objectiveNames(s.directions, metricNames(s.systemAttrs, s.directions.length)),
        state: active ? 'running' : s.countsByState.WAITING > 0 ? 'waiting' : 'idle',
        trials: s.nTrials,
        counts: s.countsByState,
        finished: finishedOf(s.countsByState),
        perSecond,
        ...progressOf(s.countsByState, runTargetOf(s.systemAttrs), perSecond),
        // Who runs it (hosts, pids, heartbeats): read only while it has RUNNING trials.
        processes: s.countsByState.RUNNING > 0 ? (storage.runningProcesses?.(s.studyId) ?? null) : [],
        best: best ? { number: best.number, value: best.values?.[0] ?? null } : null,
        datetimeStart: s.datetimeStart?.toISOString() ?? null,
        lastActivity: s.lastActivity?.toISOString() ?? null,
      };
    }),
  };
}

/** What the study page shows above its table, from the study's watch: counts, best trial, last activity. */
export function studyStatePayload(state: StudyState): { trials: number; counts: Readonly<Record<TrialState, number>>; best: TrialRow | null; lastActivity: string | null } {
  return { trials: state.nTrials, counts: state.counts, best: state.best ? trialRow(state.best) : null, lastActivity: state.lastActivity?.toISOString() ?? null };
}

/** One study: its directions and objective names, counts, best trial and parameter names. */
export function studyPayload(storage: Storage, opening: number, watches: StudyWatches, name: string): unknown {
  studyIdOf(storage, name); // an unknown name: 404 with the studies there are
  const watch = watches.watchOf(storage, opening, name);
  if (!watch) throw new NotFoundError(`no study named '${name}' any more`);
  const systemAttrs = storage.getStudySystemAttrs(watch.studyId);
  // The parameter and attribute names of the latest trials: enough to lay out the table.
  const latest = queryTrials(storage, watch.studyId, { limit: 20, descending: true });
  const paramNames = new Set<string>();
  const attrNames = new Set<string>();
  for (const t of latest.trials) {
    for (const k of Object.keys(t.params)) paramNames.add(k);
    for (const [k, v] of Object.entries(t.userAttrs)) if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') attrNames.add(k);
  }
  return {
    name,
    directions: watch.directions,
    objectives: objectiveNames(watch.directions, metricNames(systemAttrs, watch.directions.length)),
    ...studyStatePayload(watch.state()),
    paramNames: [...paramNames],
    attrNames: [...attrNames],
    ib: ibSettingsOf(systemAttrs) !== null,
  };
}

/**
 * How many matches past the page a filtered page counts (the store stops counting there): the
 * page says "of 1,050+" instead of passing over a million trials for an exact figure.
 */
export const COUNT_AHEAD = 1000;

/**
 * One page of a study's trials (request-params.ts reads the query). The total: without a
 * parameter range, the study's counts by state as its watch keeps them (no count of the study);
 * with one, counted up to COUNT_AHEAD trials past the page (`totalCapped` when there are more).
 * The first pages in value order without a parameter range come from the study's value ranking
 * (value-ranking.ts), the others from the store.
 */
export function trialsPayload(storage: Storage, opening: number, watches: StudyWatches, rankings: ValueRankings, name: string, url: URL): unknown {
  const id = studyIdOf(storage, name);
  const query = trialQueryOf(url, storage.getStudyDirections(id).length);
  const offset = query.offset ?? 0;
  const watch = query.params ? null : watches.watchOf(storage, opening, name);
  const ranked =
    watch && query.orderBy !== undefined && query.orderBy !== 'number'
      ? rankings.pageIds(storage, watch, query.orderBy.objective, query.descending === true, query.states, offset, query.limit)
      : null;
  const page = ranked ? { total: 0, totalCapped: false, trials: readTrialsById(storage, ranked) } : queryTrials(storage, id, { ...query, countUpTo: watch ? 0 : offset + query.limit + COUNT_AHEAD });
  const counts = watch?.state().counts;
  const total = counts ? (query.states ?? TRIAL_STATES).reduce((n, state) => n + counts[state], 0) : page.total;
  return { total, totalCapped: !counts && page.totalCapped === true, offset, limit: query.limit, trials: page.trials.map(trialRow) };
}
