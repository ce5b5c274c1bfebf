/**
 * Error types shared across studyopt. The CLI maps {@link UsageError} to exit code 2:
 * it means "the input was wrong", and its message says which input and how to fix it.
 */

/** Bad input from the user (a flag, a file, a parameter). The message names the input and the fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A study name that is already taken in the storage. */
export class DuplicatedStudyError extends UsageError {
  override name = 'DuplicatedStudyError';
}

/** Thrown by an objective (or by `trial.shouldPrune()` users) to end the trial as PRUNED. */
export class TrialPruned extends Error {
  override name = 'TrialPruned';
  constructor(message = 'trial pruned') {
    super(message);
  }
}

/** An operation on a trial that is no longer RUNNING (e.g. telling it twice). */
export class TrialFinishedError extends Error {
  override name = 'TrialFinishedError';
}
