/**
 * Reading a few trials of a large study, and what changed in it: what a live view of a running
 * study (the dashboard) needs without holding the study in memory. A 1.5-million-trial study
 * read whole is about 6 KB a trial as FrozenTrials; a page of 50 trials, sorted and filtered by
 * the store, and the trials that appeared or changed state since the last look, are a few
 * kilobytes each time.
 *
 * Two reads, each with a fast path a store may offer (Storage.queryTrials, Storage.trialChanges:
 * the SQL stores answer from their indexes) and a fallback over getAllTrials here, which defines
 * what both mean (a test holds the stores to it):
 *
 * - {@link queryTrials}: one page of a study's trials in a given order, filtered by state and
 *   by ranges of numeric parameters, with the number of trials that match.
 * - {@link trialChanges}: the trials created, or whose state changed, since a cursor, and the
 *   cursor to ask with next time. Only two things change a stored trial's row once it exists:
 *   new trials get larger ids, and a WAITING or RUNNING trial moves on. So a cursor is the
 *   largest id seen and the open trials with their states; nothing else needs re-reading.
 */
import { type FrozenTrial, type TrialState, TRIAL_STATES } from '../frozen-trial.js';
import { UsageError } from '../errors.js';

/**
 * What the two reads need of a store: a Storage has it. (Named here, not imported, because
 * storage.ts names this file's types in its interface.)
 */
export interface TrialSource {
  getStudyDirections(studyId: number): readonly unknown[];
  getAllTrials(studyId: number): readonly FrozenTrial[];
  queryTrials?(studyId: number, query: TrialQuery): TrialPage | null;
  trialChanges?(studyId: number, cursor: TrialCursor | null, limit: number): TrialChanges | null;
}

/** Trials whose numeric parameter `name` lies in [min, max] (either bound may be left out). */
export interface ParamRange {
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
}

export interface TrialQuery {
  /** Only trials in these states (default: all). */
  readonly states?: readonly TrialState[];
  /**
   * The order: by trial number (default), or by one objective's value, lowest first (trials
   * without a value last, whatever the direction; equal values by number).
   */
  readonly orderBy?: 'number' | { readonly objective: number };
  /** Reverse the order (trials without a value stay last). */
  readonly descending?: boolean;
  /** Only trials with every one of these parameters in its range (numeric parameters). */
  readonly params?: readonly ParamRange[];
  /** Trials to skip, in the order. Default 0. */
  readonly offset?: number;
  /** At most this many trials. */
  readonly limit: number;
  /**
   * Count the matching trials only up to this many: a store may stop counting there, so that a
   * filter over a million trials costs what its first matches cost, not a pass over the study.
   * Default: count them all.
   */
  readonly countUpTo?: number;
}

export interface TrialPage {
  /** How many trials match the filters (all pages together), or `countUpTo` when at least that many do. */
  readonly total: number;
  /** True when more than `countUpTo` trials match: `total` is a lower bound. */
  readonly totalCapped?: boolean;
  readonly trials: readonly FrozenTrial[];
}

/** Where a reader of a study's changes stands: see the file comment. */
export interface TrialCursor {
  /** The largest trial id seen (0 before any). */
  readonly lastTrialId: number;
  /** The trials seen WAITING or RUNNING, by id, with the state they were seen in. */
  readonly open: ReadonlyMap<number, TrialState>;
}

export interface TrialChanges {
  /** New trials and trials whose state changed, in id order (each at most once). */
  readonly trials: readonly FrozenTrial[];
  /** The cursor after these changes. When `more`, ask again with it for the rest. */
  readonly cursor: TrialCursor;
  /** True when more than `limit` trials were new: the rest come with the next call. */
  readonly more: boolean;
}

export const EMPTY_CURSOR: TrialCursor = { lastTrialId: 0, open: new Map() };

/** The value an objective sorts by: ±Infinity sort as numbers, no value (or NaN) after every value. */
function sortKey(t: FrozenTrial, objective: number): number {
  const v = t.values?.[objective];
  return v === undefined || Number.isNaN(v) ? NaN : v;
}

function isOpen(state: TrialState): boolean {
  return state === 'WAITING' || state === 'RUNNING';
}

/** Refuses a query no store can answer (the dashboard turns this into a 400). */
export function checkTrialQuery(query: TrialQuery, nObjectives: number): void {
  const { offset = 0, limit, orderBy } = query;
  for (const state of query.states ?? []) {
    if (!TRIAL_STATES.includes(state)) throw new UsageError(`trial query: unknown state '${state}'; the states are ${TRIAL_STATES.join(', ')}`);
  }
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`trial query: limit must be an integer >= 0, but got ${limit}`);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError(`trial query: offset must be an integer >= 0, but got ${offset}`);
  if (query.countUpTo !== undefined && (!Number.isInteger(query.countUpTo) || query.countUpTo < 0)) throw new UsageError(`trial query: countUpTo must be an integer >= 0, but got ${query.countUpTo}`);
  if (orderBy !== undefined && orderBy !== 'number') {
    const k = orderBy.objective;
    if (!Number.isInteger(k) || k < 0 || k >= nObjectives) throw new UsageError(`trial query: the study has ${nObjectives} objective(s), so order by objective 0..${nObjectives - 1}, not ${k}`);
  }
  for (const r of query.params ?? []) {
    if (typeof r.name !== 'string' || r.name === '') throw new UsageError('trial query: a parameter range needs the parameter name');
    for (const [bound, v] of [['min', r.min], ['max', r.max]] as const) {
      if (v !== undefined && !Number.isFinite(v)) throw new UsageError(`trial query: the ${bound} of parameter '${r.name}' must be a finite number, but got ${v}`);
    }
  }
}

/** Whether a trial passes the query's filters (the fallback's rule; the SQL stores express the same in SQL). */
function matches(t: FrozenTrial, query: TrialQuery, states: ReadonlySet<TrialState> | null): boolean {
  if (states && !states.has(t.state)) return false;
  for (const r of query.params ?? []) {
    const v = t.params[r.name];
    const kind = t.distributions[r.name]?.type;
    // Numeric parameters only: a categorical's or ordinal's stored value is its choice's index.
    if (typeof v !== 'number' || (kind !== 'float' && kind !== 'int')) return false;
    if (r.min !== undefined && v < r.min) return false;
    if (r.max !== undefined && v > r.max) return false;
  }
  return true;
}

/** One page of a study's trials: the store's own way when it has one, else from getAllTrials. */
export function queryTrials(storage: TrialSource, studyId: number, query: TrialQuery): TrialPage {
  checkTrialQuery(query, storage.getStudyDirections(studyId).length);
  const own = storage.queryTrials?.(studyId, query);
  if (own) return own;
  const states = query.states ? new Set(query.states) : null;
  const found = storage.getAllTrials(studyId).filter((t) => matches(t, query, states));
  const sign = query.descending ? -1 : 1;
  const orderBy = query.orderBy ?? 'number';
  if (orderBy === 'number') {
    found.sort((a, b) => sign * (a.number - b.number));
  } else {
    found.sort((a, b) => {
      const x = sortKey(a, orderBy.objective);
      const y = sortKey(b, orderBy.objective);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? a.number - b.number : Number.isNaN(x) ? 1 : -1;
      return x === y ? a.number - b.number : sign * (x < y ? -1 : 1);
    });
  }
  const offset = query.offset ?? 0;
  const capped = query.countUpTo !== undefined && found.length > query.countUpTo;
  return { total: capped ? query.countUpTo! : found.length, ...(capped ? { totalCapped: true } : {}), trials: found.slice(offset, offset + query.limit) };
}

/**
 * The trials created or moved on since `cursor` (at most `limit` new ones, the lowest ids first;
 * every open trial that moved on comes each time), and the next cursor. Start with
 * {@link EMPTY_CURSOR} to read the study from its first trial, or with null to follow only what
 * happens from now on (no trials, and the cursor at the study's present end).
 */
export function trialChanges(storage: TrialSource, studyId: number, cursor: TrialCursor | null, limit = 10_000): TrialChanges {
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`trial changes: limit must be an integer >= 1, but got ${limit}`);
  const own = storage.trialChanges?.(studyId, cursor, limit);
  if (own) return own;
  const all = storage.getAllTrials(studyId);
  if (cursor === null) {
    const open = new Map<number, TrialState>();
    for (const t of all) if (isOpen(t.state)) open.set(t.trialId, t.state);
    return { trials: [], cursor: { lastTrialId: all.reduce((m, t) => Math.max(m, t.trialId), 0), open }, more: false };
  }
  const changed: FrozenTrial[] = [];
  let newCount = 0;
  let more = false;
  let lastTrialId = cursor.lastTrialId;
  const open = new Map(cursor.open);
  for (const t of all) {
    if (t.trialId > cursor.lastTrialId) {
      if (newCount === limit) {
        more = true;
        continue;
      }
      newCount++;
      lastTrialId = Math.max(lastTrialId, t.trialId);
      changed.push(t);
      if (isOpen(t.state)) open.set(t.trialId, t.state);
    } else if (open.has(t.trialId) && open.get(t.trialId) !== t.state) {
      changed.push(t);
      if (isOpen(t.state)) open.set(t.trialId, t.state);
      else open.delete(t.trialId);
    }
  }
  // A new trial past the limit may be one whose state moved on; it comes when its id does.
  changed.sort((a, b) => a.trialId - b.trialId);
  return { trials: changed, cursor: { lastTrialId, open }, more };
}
