/**
 * What one process knows about one study in the SQLite file, kept up to date incrementally.
 *
 * Finished states are final (COMPLETE, PRUNED and FAIL never change), so a process only needs to
 * read the trials added since it last looked (trial ids only grow) and re-check the few trials it
 * saw RUNNING or WAITING. That makes trial numbers, limit counts and grid claims O(new trials)
 * per call instead of O(all trials), which matters for studies of a million trials.
 */
import type { FrozenTrial, TrialState } from '../frozen-trial.js';
import { isFinished } from '../frozen-trial.js';

export const STATE_BITS: Readonly<Record<TrialState, number>> = { RUNNING: 1, COMPLETE: 2, PRUNED: 4, FAIL: 8, WAITING: 16 };

export function stateMask(states: readonly TrialState[]): number {
  let m = 0;
  for (const s of states) m |= STATE_BITS[s];
  return m;
}

/**
 * The holders of one claim key (e.g. `grid_id`): for each value, the states of the finished
 * trials holding it (a bit mask; final), and the open trials holding it.
 */
export class ClaimIndex {
  /** value -> OR of the state bits of finished holders; small non-negative integers in the array. */
  private dense = new Uint8Array(1024);
  private sparse = new Map<number, number>();
  /** value -> how many trials have held it, in any state (saturating at 255), for TrialClaim.maxClaims. */
  private denseCounts = new Uint8Array(1024);
  private sparseCounts = new Map<number, number>();
  /** open trial id -> the value it holds */
  readonly openValue = new Map<number, number>();
  /** value -> how many open trials hold it (kept with openValue, so a search need not scan it). */
  readonly openHolders = new Map<number, number>();
  candidates: ArrayLike<number> | null = null;
  cursor = 0;
  /** Values that may have been released (their holder FAILed), offered again before the cursor moves on. */
  released: number[] = [];

  /** A finished trial that holds `value`, seen for the first time. */
  addFinished(value: number, state: TrialState): void {
    this.count(value);
    this.mark(value, state);
  }

  private isDense(value: number): boolean {
    return Number.isInteger(value) && value >= 0 && value < 1 << 26;
  }

  private grow(value: number): void {
    if (value < this.dense.length) return;
    let n = this.dense.length;
    while (n <= value) n *= 2;
    const mask = new Uint8Array(n);
    mask.set(this.dense);
    this.dense = mask;
    const counts = new Uint8Array(n);
    counts.set(this.denseCounts);
    this.denseCounts = counts;
  }

  private count(value: number): void {
    if (this.isDense(value)) {
      this.grow(value);
      if (this.denseCounts[value] < 255) this.denseCounts[value]++;
    } else {
      this.sparseCounts.set(value, (this.sparseCounts.get(value) ?? 0) + 1);
    }
  }

  private mark(value: number, state: TrialState): void {
    const bit = STATE_BITS[state];
    if (this.isDense(value)) {
      this.grow(value);
      this.dense[value] |= bit;
    } else {
      this.sparse.set(value, (this.sparse.get(value) ?? 0) | bit);
    }
    // A holder that did not complete may release its value (grids retry FAIL trials).
    if (state !== 'COMPLETE') this.released.push(value);
  }

  finishedMask(value: number): number {
    if (Number.isInteger(value) && value >= 0 && value < this.dense.length) return this.dense[value];
    return this.sparse.get(value) ?? 0;
  }

  /** How many trials have held `value`, finished or open. */
  holders(value: number): number {
    if (Number.isInteger(value) && value >= 0 && value < this.denseCounts.length) return this.denseCounts[value];
    return this.sparseCounts.get(value) ?? 0;
  }

  /**
   * A new trial took `value` from findClaimable: it holds it while open, and the cursor moves past
   * it when it was the candidate under the cursor.
   */
  take(trialId: number, value: number): void {
    this.addOpen(trialId, value);
    this.advancePast(value);
  }

  /** The cursor moves past `value` when it is the candidate under the cursor (it was just taken). */
  advancePast(value: number): void {
    if (this.candidates !== null && this.cursor < this.candidates.length && this.candidates[this.cursor] === value) this.cursor++;
  }

  /** A trial that holds `value` and has not finished, seen for the first time. */
  addOpen(trialId: number, value: number): void {
    if (this.openValue.has(trialId)) return;
    this.openValue.set(trialId, value);
    this.openHolders.set(value, (this.openHolders.get(value) ?? 0) + 1);
    this.count(value);
  }

  private dropOpen(trialId: number): number | undefined {
    const value = this.openValue.get(trialId);
    if (value === undefined) return undefined;
    this.openValue.delete(trialId);
    const n = (this.openHolders.get(value) ?? 1) - 1;
    if (n > 0) this.openHolders.set(value, n);
    else this.openHolders.delete(value);
    return value;
  }

  /** Forgets an open holder that was never committed (its transaction rolled back). */
  /** The open holder known by a temporary id gets its real one. */
  moveOpen(from: number, to: number): void {
    const value = this.openValue.get(from);
    if (value === undefined) return;
    this.openValue.delete(from);
    this.openValue.set(to, value);
  }

  removeOpen(trialId: number): void {
    const value = this.dropOpen(trialId);
    if (value === undefined) return;
    if (this.isDense(value)) {
      if (this.denseCounts[value] > 0 && this.denseCounts[value] < 255) this.denseCounts[value]--;
    } else {
      this.sparseCounts.set(value, Math.max(0, (this.sparseCounts.get(value) ?? 0) - 1));
    }
  }

  /** An open holder finished. */
  close(trialId: number, state: TrialState): void {
    const v = this.dropOpen(trialId);
    if (v === undefined) return;
    this.mark(v, state);
  }
}

export class StudyView {
  /** Highest trial id of the study seen so far. */
  lastSeenId = 0;
  /** The connection's `PRAGMA data_version` at the last sync (-1: never synced). */
  syncedVersion = -1;
  /** Trial ids in creation (= number) order. */
  readonly ids: number[] = [];
  readonly finishedCounts: Record<TrialState, number> = { RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0, WAITING: 0 };
  /** The states of `open`, counted (so that counts need not walk a run's reserved trials). */
  private readonly openCounts: Record<TrialState, number> = { RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0, WAITING: 0 };
  /** RUNNING and WAITING trials as last seen: id -> state. */
  readonly open = new Map<number, TrialState>();
  readonly claims = new Map<string, ClaimIndex>();
  /** Full records of finished trials, once someone asked for all trials of the study. */
  full: Map<number, FrozenTrial> | null = null;
  /** Finished trials seen since, whose full records `full` still lacks (read with the next full read). */
  readonly pendingFull: number[] = [];

  constructor(readonly studyId: number) {}

  get nTrials(): number {
    return this.ids.length;
  }

  /** Records a trial seen for the first time. */
  add(trialId: number, state: TrialState): void {
    this.ids.push(trialId);
    if (trialId > this.lastSeenId) this.lastSeenId = trialId;
    if (isFinished(state)) {
      this.finishedCounts[state]++;
    } else {
      this.open.set(trialId, state);
      this.openCounts[state]++;
    }
  }

  /** A trial known to be open is now in `state`. Returns true if it finished. */
  transition(trialId: number, state: TrialState): boolean {
    const before = this.open.get(trialId);
    if (before === undefined) return false;
    this.openCounts[before]--;
    if (!isFinished(state)) {
      this.open.set(trialId, state);
      this.openCounts[state]++;
      return false;
    }
    this.open.delete(trialId);
    this.finishedCounts[state]++;
    for (const c of this.claims.values()) c.close(trialId, state);
    return true;
  }

  /**
   * The oldest trial seen WAITING, or null. `open` keeps trials in id order (sync adds them in
   * that order and a state change keeps the place), so the first one found is the oldest.
   */
  oldestWaiting(): number | null {
    if (this.openCounts.WAITING === 0) return null;
    for (const [id, s] of this.open) if (s === 'WAITING') return id;
    return null;
  }

  count(states?: readonly TrialState[]): number {
    if (!states) return this.ids.length;
    let n = 0;
    for (const s of new Set(states)) n += isFinished(s) ? this.finishedCounts[s] : this.openCounts[s];
    return n;
  }

  /**
   * The first candidate that no trial holds outside `releaseMask` states and that fewer than
   * `maxClaims` trials have held, or null.
   */
  findClaimable(index: ClaimIndex, candidates: ArrayLike<number>, releaseMask: number, maxClaims = Infinity): number | null {
    if (index.candidates !== candidates) {
      index.candidates = candidates;
      index.cursor = 0;
      index.released = [];
    }
    // Open holders (RUNNING, WAITING) hold their value unless those states release it, which no
    // caller asks for; then the holders' states must be looked at one by one.
    let openHeld: { has(v: number): boolean } = index.openHolders;
    if ((releaseMask & (STATE_BITS.RUNNING | STATE_BITS.WAITING)) !== 0) {
      const held = new Set<number>();
      for (const [trialId, value] of index.openValue) {
        if ((STATE_BITS[this.open.get(trialId) ?? 'RUNNING'] & releaseMask) === 0) held.add(value);
      }
      openHeld = held;
    }
    const isHeld = (v: number): boolean => (index.finishedMask(v) & ~releaseMask) !== 0 || openHeld.has(v) || index.holders(v) >= maxClaims;
    while (index.released.length > 0) {
      const v = index.released.shift()!;
      if (!isHeld(v)) return v;
    }
    while (index.cursor < candidates.length) {
      const v = candidates[index.cursor];
      if (!isHeld(v)) return v; // the cursor moves on once the claim is committed
      index.cursor++;
    }
    // Values passed over earlier may have been released since.
    for (let i = 0; i < candidates.length; i++) if (!isHeld(candidates[i])) return candidates[i];
    return null;
  }
}
