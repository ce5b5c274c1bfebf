/**
 * One study's run, lived the same way by both executors (the sequential loop in optimize.ts and
 * the worker pool in executor/pool.ts), which differ only in where the objective runs: the trial
 * limit and this call's budget of trials and time; stop requests and aborts; heartbeats for this
 * run's running trials and stale-trial checks for those of processes that are gone; counts and
 * the failure budget; the flush at the end; the summary.
 */
import { UsageError } from './errors.js';
import { FailureBudget, type FailureBudgetOptions, checkFailureBudget } from './failure-budget.js';
import type { FrozenTrial, TrialState } from './frozen-trial.js';
import type { AbortSignalLike } from './host-types.js';
import type { TrialLimit } from './storage/storage.js';
import type { Study } from './study.js';
import type { StudyTrial } from './trial.js';

/** What bounds a run, whichever executor runs it (OptimizeOptions adds the executors' own). */
export interface RunBounds {
  /** Run at most this many more trials in this call. */
  nTrials?: number;
  /** Stop starting trials after this many seconds. */
  timeout?: number;
  /**
   * Stop once the study holds this many COMPLETE or PRUNED trials, counting those of every
   * process sharing the storage (the CLI's `--trials`). Trials are claimed in the storage write
   * that creates them, so the study ends with exactly this many.
   */
  targetFinished?: number;
  /** Aborting stops dispatching new trials; the trial in flight is finished and recorded. */
  signal?: AbortSignalLike;
  /**
   * When failing trials end the run (failure-budget.ts): by default after 20 failures in a row,
   * or when more than 80% of at least 100 trials failed. `false`: never.
   */
  failureBudget?: FailureBudgetOptions | false;
}

export type StopReason = 'nTrials' | 'timeout' | 'stopped' | 'exhausted' | 'target' | 'aborted' | 'failures';

export interface OptimizeSummary {
  /** Trials started and finished by this call. */
  readonly nTrials: number;
  readonly completed: number;
  readonly pruned: number;
  readonly failed: number;
  readonly elapsedSeconds: number;
  readonly stopReason: StopReason;
  /** With stop reason 'failures': why the failure budget was spent, and the last failure's reason. */
  readonly failures?: { readonly why: string; readonly lastFailReason: string | null };
}

/**
 * Fails the study's trials whose process is gone (or, for reserved slots, gives them back) when
 * the storage keeps heartbeats: at the start of a run, during it, and before a target ends it.
 */
function failStaleTrials(study: Study): void {
  const grace = study.storage.gracePeriod;
  if (grace !== undefined) study.storage.failStaleTrials(study.studyId, grace);
}

export class RunSession {
  readonly started = performance.now();
  readonly deadline: number;
  /** The study-wide limit of a target (`targetFinished`): finished and running trials count. */
  readonly limit: TrialLimit | undefined;
  readonly counts: Record<TrialState, number> = { RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0, WAITING: 0 };
  readonly budget: FailureBudget;
  /** Trials this run has asked for. */
  asked = 0;
  /** Ids of this run's trials that are running: the heartbeat beats for them. */
  private readonly running = new Set<number>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly study: Study,
    readonly bounds: RunBounds,
  ) {
    const problem = checkFailureBudget(bounds.failureBudget);
    if (problem) throw new UsageError(problem);
    this.budget = new FailureBudget(bounds.failureBudget);
    this.deadline = bounds.timeout !== undefined ? this.started + bounds.timeout * 1000 : Infinity;
    this.limit = bounds.targetFinished !== undefined ? { max: bounds.targetFinished, states: ['COMPLETE', 'PRUNED', 'RUNNING'] } : undefined;
  }

  /** Starts the run: trials of gone processes are failed, an earlier stop request is cleared, heartbeats begin. */
  begin(): void {
    failStaleTrials(this.study);
    this.study.clearStop();
    const interval = this.study.storage.heartbeatInterval;
    if (interval === undefined) return;
    // The storage records a trial's first beat when it creates or starts it. Timers run when the
    // event loop is free: the sequential executor yields to it every YIELD_EVERY_MS.
    this.heartbeat = setInterval(() => {
      if (this.running.size > 0) this.study.storage.recordHeartbeat([...this.running]);
      // Ours have just beaten: what is stale now belongs to processes that are gone, and a long
      // run should not wait for the next one to reuse their slots (a target counts them running).
      failStaleTrials(this.study);
    }, interval * 1000);
    this.heartbeat.unref?.();
  }

  /**
   * What a progress line counts toward: this call's `nTrials`, else the study's target, of which
   * a resumed study already holds `alreadyDone` finished trials.
   */
  progressGoal(): { total?: number; alreadyDone?: number } {
    const { nTrials, targetFinished } = this.bounds;
    if (nTrials !== undefined || targetFinished === undefined) return { total: nTrials };
    return { total: targetFinished, alreadyDone: this.study.storage.getNTrials(this.study.studyId, ['COMPLETE', 'PRUNED']) };
  }

  /** Why the run should stop starting trials now, or null. */
  stopCheck(): StopReason | null {
    if (this.budget.spent() !== null) return 'failures';
    if (this.bounds.nTrials !== undefined && this.asked >= this.bounds.nTrials) return 'nTrials';
    if (performance.now() >= this.deadline) return 'timeout';
    if (this.study.isStopRequested) return 'stopped';
    if (this.bounds.signal?.aborted) return 'aborted';
    return null;
  }

  /**
   * The next trial within the limit, or null when there is none to run: the target is reached
   * (`endReason` 'target') or the search is exhausted. `lastChance`: nothing of this run is in flight,
   * so an empty answer ends it; then, when the target counts running trials, those of processes
   * that are gone are failed first and the ask is tried again (their slots come back to this run).
   */
  ask(lastChance: boolean): StudyTrial | null {
    const upcoming = this.upcoming();
    let trial = this.study.tryAsk(this.limit, upcoming);
    if (!trial && lastChance && this.limit && this.study.storage.gracePeriod !== undefined) {
      failStaleTrials(this.study);
      trial = this.study.tryAsk(this.limit, upcoming);
    }
    if (trial) {
      this.asked++;
      this.running.add(trial.trialId);
    }
    return trial;
  }

  /**
   * How many more trials this run will ask for, as far as it can tell: what nTrials leaves, or
   * what the time left would hold at the pace so far (so that a storage reserving trial slots
   * ahead does not reserve past the end of the run).
   */
  private upcoming(): number {
    let upcoming = this.bounds.nTrials !== undefined ? this.bounds.nTrials - this.asked : Infinity;
    if (this.deadline !== Infinity && this.asked > 0) {
      const now = performance.now();
      upcoming = Math.min(upcoming, Math.max(1, Math.ceil(((this.deadline - now) * this.asked) / (now - this.started))));
    }
    return upcoming;
  }

  /** Why the run ends when `ask` finds nothing. */
  get endReason(): StopReason {
    return this.limit ? 'target' : 'exhausted';
  }

  /** Counts a finished trial of this run; its heartbeat stops. */
  finished(frozen: FrozenTrial): void {
    this.running.delete(frozen.trialId);
    this.counts[frozen.state]++;
  }

  /** A trial of this run that was finished elsewhere (failed as stale) while its result was on the way. */
  dropped(trialId: number): void {
    this.running.delete(trialId);
  }

  /** Ends the run: heartbeats stop, and what the store holds back is written out. */
  end(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.study.storage.flush?.();
  }

  summary(stopReason: StopReason): OptimizeSummary {
    const why = this.budget.spent();
    return {
      nTrials: this.counts.COMPLETE + this.counts.PRUNED + this.counts.FAIL,
      completed: this.counts.COMPLETE,
      pruned: this.counts.PRUNED,
      failed: this.counts.FAIL,
      elapsedSeconds: (performance.now() - this.started) / 1000,
      stopReason,
      ...(stopReason === 'failures' && why !== null ? { failures: { why, lastFailReason: this.budget.lastFailReason } } : {}),
    };
  }
}
