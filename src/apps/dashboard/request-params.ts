/**
 * Reading the dashboard's query parameters. Each reader either returns a valid value or throws
 * a BadRequestError naming the parameter, what it got and what it takes: the server answers 400
 * with that message, never a stack trace.
 */
import { TRIAL_STATES, type TrialState } from '../../frozen-trial.js';
import type { ParamRange, TrialQuery } from '../../storage/trial-query.js';
import { UsageError } from '../../errors.js';
import type { Storage } from '../../storage/storage.js';
import { requireStudy } from '../cli/commands/storage-options.js';

/** Bad input, as every UsageError (the store handle passes these through untouched). */
export class BadRequestError extends UsageError {}

/** What the request names does not exist (a study, a trial): the server answers 404. */
export class NotFoundError extends UsageError {}

/** The id of the study named `name`; NotFoundError (with the studies there are) when there is none. */
export function studyIdOf(storage: Storage, name: string): number {
  try {
    return requireStudy(storage, name);
  } catch (err) {
    if (err instanceof UsageError) throw new NotFoundError(err.message);
    throw err;
  }
}

/** A required text parameter. */
export function requiredText(url: URL, name: string): string {
  const v = url.searchParams.get(name);
  if (v === null || v === '') throw new BadRequestError(`the query parameter '${name}' is missing: add ?${name}=...`);
  return v;
}

/** An integer parameter in [min, max], or `fallback` when absent. */
export function integerParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const v = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new BadRequestError(`the query parameter '${name}' must be an integer from ${min} to ${max}, but got '${raw}'`);
  }
  return v;
}

/** The most trials one page may hold. */
export const MAX_PAGE = 500;

/**
 * A trial page query from `offset`, `limit`, `sort` (number, value, or value:K for objective K),
 * `order` (asc or desc), `state` (states separated by commas) and `param` (repeatable,
 * `name:min:max` with either bound empty).
 */
export function trialQueryOf(url: URL, nObjectives: number): TrialQuery {
  const offset = integerParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = integerParam(url, 'limit', 50, 0, MAX_PAGE);
  const sort = url.searchParams.get('sort') ?? 'number';
  let orderBy: TrialQuery['orderBy'];
  if (sort === 'number') orderBy = 'number';
  else {
    const m = /^value(?::(\d+))?$/.exec(sort);
    const k = m ? Number(m[1] ?? 0) : NaN;
    if (!m || k >= nObjectives) {
      throw new BadRequestError(`the query parameter 'sort' must be 'number', 'value' or 'value:K' with K from 0 to ${nObjectives - 1}, but got '${sort}'`);
    }
    orderBy = { objective: k };
  }
  const order = url.searchParams.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw new BadRequestError(`the query parameter 'order' must be 'asc' or 'desc', but got '${order}'`);
  const stateText = url.searchParams.get('state');
  let states: TrialState[] | undefined;
  if (stateText !== null && stateText !== '') {
    states = stateText.split(',').map((s) => s.trim().toUpperCase()) as TrialState[];
    const unknown = states.find((s) => !TRIAL_STATES.includes(s));
    if (unknown !== undefined) throw new BadRequestError(`the query parameter 'state' takes ${TRIAL_STATES.join(', ')} (separated by commas), but got '${unknown}'`);
  }
  const params: ParamRange[] = url.searchParams.getAll('param').map((text) => {
    const m = /^(.+):([^:]*):([^:]*)$/.exec(text);
    const bound = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
    const min = bound(m?.[2]);
    const max = bound(m?.[3]);
    if (!m || (min !== undefined && !Number.isFinite(min)) || (max !== undefined && !Number.isFinite(max))) {
      throw new BadRequestError(`the query parameter 'param' must be 'name:min:max' with numbers (either may be empty), but got '${text}'`);
    }
    return { name: m[1], ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  });
  return { offset, limit, orderBy, descending: order === 'desc', ...(states ? { states } : {}), ...(params.length ? { params } : {}) };
}
