/**
 * The first pages of a study's trials in value order, kept instead of sorted again. Sorting a
 * 1.5-million-trial study by value is a pass over its values (about a second: no index, which
 * every writer would pay for), and a user who clicks "value" then pages, flips the direction and
 * comes back asks for the same few pages again and again while the study runs.
 *
 * A ranking holds the first RANKED trials with a value in one order (objective k, ascending or
 * descending: the order of storage/trial-query.ts: -inf, numbers, +inf, ties by number), read
 * once through the store's query, then kept exact from the study's watch (study-watch.ts): a
 * trial gets its value once, when it finishes, and never changes after, so a new finished trial
 * either enters the ranking at its place or is beyond it. A ranking whose watch dropped changes
 * before it read them is read again.
 *
 * A page is answered from the ranking when it lies within it (after the states asked for); a page
 * past it, or with a parameter range, goes to the store.
 */
import type { FrozenTrial, TrialState } from '../../frozen-trial.js';
import type { Storage } from '../../storage/storage.js';
import { queryTrials } from '../../storage/trial-query.js';
import type { StudyWatch } from './study-watch.js';

/** Trials kept per ranking: 20 pages of 50. */
export const RANKED = 1000;

interface Ranked {
  readonly trialId: number;
  readonly number: number;
  readonly state: TrialState;
  readonly value: number;
}

/** -inf before numbers before +inf. */
function kind(v: number): number {
  return v === -Infinity ? 0 : v === Infinity ? 2 : 1;
}

class ValueRanking {
  private entries: Ranked[];
  /** Every trial with a value is in `entries` (fewer than RANKED of them). */
  private whole: boolean;
  private seq: number;

  constructor(
    storage: Storage,
    watch: StudyWatch,
    private readonly objective: number,
    private readonly descending: boolean,
  ) {
    // The watch's changes after this point are applied later; one that the query below also
    // sees is recognised by its id.
    this.seq = watch.lastSeq;
    const page = queryTrials(storage, watch.studyId, { limit: RANKED, orderBy: { objective }, descending, countUpTo: 0 });
    this.entries = page.trials.map((t) => this.rankedOf(t)).filter((r): r is Ranked => r !== null);
    this.whole = this.entries.length < RANKED;
  }

  private rankedOf(t: FrozenTrial): Ranked | null {
    const v = t.values?.[this.objective];
    return v === undefined ? null : { trialId: t.trialId, number: t.number, state: t.state, value: v };
  }

  /** The order of trial-query.ts among trials with a value. */
  private compare(a: Ranked, b: Ranked): number {
    const sign = this.descending ? -1 : 1;
    const ka = kind(a.value);
    const kb = kind(b.value);
    if (ka !== kb) return sign * (ka - kb);
    if (a.value !== b.value) return sign * (a.value < b.value ? -1 : 1);
    return a.number - b.number;
  }

  /** Applies the watch's changes since the last; false when the watch no longer has them all (read it again). */
  follow(watch: StudyWatch): boolean {
    const changes = watch.changesAfter(this.seq);
    if (changes.dropped) return false;
    this.seq = changes.seq;
    const known = new Set(this.entries.map((e) => e.trialId));
    let added = false;
    for (const t of changes.trials) {
      const r = this.rankedOf(t);
      if (r === null || known.has(r.trialId)) continue;
      const last = this.entries[this.entries.length - 1];
      // Beyond the last kept of a full ranking: not among the first RANKED.
      if (!this.whole && (last === undefined || this.compare(r, last) > 0)) continue;
      this.entries.push(r);
      known.add(r.trialId);
      added = true;
    }
    if (added) {
      this.entries.sort((a, b) => this.compare(a, b));
      if (this.entries.length > RANKED) {
        this.entries.length = RANKED;
        this.whole = false;
      }
    }
    return true;
  }

  /** The ids of the page, or null when it reaches past the ranking. */
  page(states: ReadonlySet<TrialState> | null, offset: number, limit: number): number[] | null {
    const shown = states ? this.entries.filter((e) => states.has(e.state)) : this.entries;
    // Past the kept trials come others with a value (not kept) or those without one: the store's.
    if (offset + limit > shown.length) return null;
    return shown.slice(offset, offset + limit).map((e) => e.trialId);
  }
}

/** The rankings of the studies' watches, by objective and direction. */
export class ValueRankings {
  private readonly byWatch = new WeakMap<StudyWatch, Map<string, ValueRanking>>();

  /**
   * The ids of a page of the watched study in value order, from its ranking (made on first use),
   * or null when the page lies past it.
   */
  pageIds(storage: Storage, watch: StudyWatch, objective: number, descending: boolean, states: readonly TrialState[] | undefined, offset: number, limit: number): number[] | null {
    if (offset + limit > RANKED) return null;
    let rankings = this.byWatch.get(watch);
    if (!rankings) this.byWatch.set(watch, (rankings = new Map()));
    const key = `${objective}:${descending}`;
    let ranking = rankings.get(key);
    if (!ranking || !ranking.follow(watch)) {
      ranking = new ValueRanking(storage, watch, objective, descending);
      rankings.set(key, ranking);
    }
    return ranking.page(states ? new Set(states) : null, offset, limit);
  }
}
