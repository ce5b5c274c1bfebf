/**
 * What the dashboard knows of one study, kept up to date from its changes instead of recounted:
 * trial counts by state, the best trial, the last activity. On a 1.5-million-trial study a
 * recount (a scan of the study's states, of its values for the best) takes a second or more;
 * following it with a cursor (storage/trial-query.ts trialChanges) reads only the trials that
 * appeared or moved on since the last look. The first look takes the cursor, then the best
 * trial and the counts; every later one applies the changes:
 *
 * - a new trial adds one to its state's count; an open trial that moved on moves one count;
 * - a trial that became COMPLETE (and feasible) competes with the best so far, the lower number
 *   winning a tie, as getBestTrial's rule (frozen-trial.ts bestOf) says.
 *
 * The best is exact: a trial finishing while the first look reads is either in getBestTrial's
 * answer or, open when the cursor was taken, among the next changes. The counts of a study that
 * is running can be off by the trials that changed during the first look (the store reads them
 * in separate statements), so they are read again once the study is quiet: a recount followed by
 * a look that finds nothing new is exact, and from then on so is every change applied to it.
 */
import { type FrozenTrial, type StudyDirection, type TrialState, TRIAL_STATES, bestOf } from '../../frozen-trial.js';
import { type Storage, studySummary } from '../../storage/storage.js';
import { type TrialCursor, trialChanges } from '../../storage/trial-query.js';

/** At most this many changed trials per look; a look that leaves more says so (`more`). */
const MAX_PER_LOOK = 5000;
/** How often to try the recount that makes the counts exact (see the file comment). */
const RECOUNT_MS = 10_000;

export interface StudyState {
  readonly studyId: number;
  readonly directions: readonly StudyDirection[];
  readonly counts: Readonly<Record<TrialState, number>>;
  readonly nTrials: number;
  /** The best feasible COMPLETE trial (single objective), or null. */
  readonly best: FrozenTrial | null;
  readonly lastActivity: Date | null;
}

/** Changes kept for readers that look less often than the watch does (live-feed.ts). */
const RECENT_KEPT = 5000;

export interface Changes {
  /** The trials that changed after the sequence number asked about, oldest change first (a trial may come twice). */
  readonly trials: readonly FrozenTrial[];
  /** The sequence number of the last change: ask with it next time. */
  readonly seq: number;
  /** Changes older than the kept ones were dropped: the reader missed some (reload the page). */
  readonly dropped: boolean;
}

export class StudyWatch {
  private cursor: TrialCursor;
  private readonly counts: Record<TrialState, number>;
  private best: FrozenTrial | null;
  private lastActivity: Date | null;
  private countsExact = false;
  private lastRecount: number;
  readonly directions: readonly StudyDirection[];

  /** The first look at study `studyId` (see the file comment). */
  constructor(
    storage: Storage,
    readonly studyId: number,
    now = Date.now(),
  ) {
    this.cursor = trialChanges(storage, studyId, null).cursor;
    const summary = studySummary(storage, studyId);
    if (!summary) throw new Error(`study ${studyId} disappeared while the dashboard read it`);
    this.directions = summary.directions;
    this.counts = { ...summary.countsByState };
    this.best = summary.directions.length === 1 ? storage.getBestTrial(studyId) : null;
    this.lastActivity = summary.lastActivity;
    this.lastRecount = now;
    this.lastLookAt = now;
  }

  get lastLook(): number {
    return this.lastLookAt;
  }

  /** The last look left changes waiting (more than it reads at once): look again at once. */
  get behind(): boolean {
    return this.leftChanges;
  }

  /** Every change seen, numbered from 1; the last RECENT_KEPT are kept. */
  private seq = 0;
  private readonly recent: FrozenTrial[] = [];
  /** When the last look was (the first: at construction), and whether it left changes waiting. */
  private lastLookAt: number;
  private leftChanges = false;

  /** The changes after sequence number `after` (0: from the first look on), as far as they are kept. */
  changesAfter(after: number): Changes {
    const firstKept = this.seq - this.recent.length + 1;
    const from = Math.max(after + 1, firstKept);
    return { trials: this.recent.slice(from - firstKept), seq: this.seq, dropped: after + 1 < firstKept };
  }

  /** The sequence number of the last change seen. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Applies what changed since the last look. */
  look(storage: Storage, now = Date.now()): void {
    this.lastLookAt = now;
    const before = this.cursor;
    const step = trialChanges(storage, this.studyId, before, MAX_PER_LOOK);
    if (step.trials.length === 0 && !this.countsExact && now - this.lastRecount >= RECOUNT_MS) this.recount(storage, now);
    for (const t of step.trials) {
      const old = t.trialId > before.lastTrialId ? undefined : before.open.get(t.trialId);
      if (old !== undefined) this.counts[old]--;
      this.counts[t.state]++;
      for (const d of [t.datetimeStart, t.datetimeComplete]) if (d && (!this.lastActivity || d > this.lastActivity)) this.lastActivity = d;
    }
    if (this.directions.length === 1 && step.trials.some((t) => t.state === 'COMPLETE')) {
      const candidates = [...(this.best ? [this.best] : []), ...step.trials].sort((a, b) => a.number - b.number);
      this.best = bestOf(candidates, this.directions[0]);
    }
    this.cursor = step.cursor;
    this.leftChanges = step.more;
    this.seq += step.trials.length;
    this.recent.push(...step.trials);
    if (this.recent.length > RECENT_KEPT) this.recent.splice(0, this.recent.length - RECENT_KEPT);
  }

  /** Counts read again; kept when nothing changed meanwhile (then they are exact). */
  private recount(storage: Storage, now: number): void {
    this.lastRecount = now;
    const summary = studySummary(storage, this.studyId);
    if (!summary) return;
    if (trialChanges(storage, this.studyId, this.cursor, 1).trials.length > 0) return; // busy again: next time
    Object.assign(this.counts, summary.countsByState);
    this.countsExact = true;
  }

  state(): StudyState {
    return {
      studyId: this.studyId,
      directions: this.directions,
      counts: { ...this.counts },
      nTrials: TRIAL_STATES.reduce((n, s) => n + this.counts[s], 0),
      best: this.best,
      lastActivity: this.lastActivity,
    };
  }
}
