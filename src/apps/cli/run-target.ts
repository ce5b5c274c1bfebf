/**
 * What `studyopt optimize --trials N` is working towards, kept with the study so that others
 * can show progress: the study's target of finished trials (COMPLETE or PRUNED: failed trials
 * do not count, as the run counts them), and the size of the sampler's search space when it is
 * finite (a grid: its coverage). Each run that sets a target writes it again; a run with
 * `--n-trials` (a number of trials more, not a total) leaves it as it was.
 */
import type { Study } from '../../study.js';

/** Study system attribute holding the run target. */
export const RUN_TARGET_KEY = 'studyopt:target';

export interface RunTarget {
  /** Finished (COMPLETE or PRUNED) trials the study is to reach. */
  readonly finished: number;
  /** Points of the sampler's finite search space (a grid), or null. */
  readonly searchSize: number | null;
}

export function recordRunTarget(study: Study, target: RunTarget): void {
  study.setSystemAttr(RUN_TARGET_KEY, target);
}

/** The stored run target, or null when none (or not one we wrote). */
export function runTargetOf(systemAttrs: Readonly<Record<string, unknown>>): RunTarget | null {
  const t = systemAttrs[RUN_TARGET_KEY] as Partial<RunTarget> | undefined;
  if (!t || typeof t.finished !== 'number' || !Number.isFinite(t.finished)) return null;
  return { finished: t.finished, searchSize: typeof t.searchSize === 'number' ? t.searchSize : null };
}
