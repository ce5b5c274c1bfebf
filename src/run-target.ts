/**
 * The run target a study keeps in storage (study system attribute `studyopt:target`): the number
 * of finished trials (COMPLETE or PRUNED) that `studyopt optimize --trials N` is working towards,
 * and the size of a finite search space (a grid). The CLI writes it (src/apps/cli/run-target.ts);
 * the dashboard shows progress against it, and the automatic sampler reads it as the study's
 * budget (samplers/auto/). In the core so that samplers may read it without importing the CLI.
 */

/** Study system attribute holding the run target. */
export const RUN_TARGET_KEY = 'studyopt:target';

export interface RunTarget {
  /** Finished (COMPLETE or PRUNED) trials the study is to reach. */
  readonly finished: number;
  /** Points of the sampler's finite search space (a grid), or null. */
  readonly searchSize: number | null;
}

/** The stored run target, or null when none (or not one we wrote). */
export function runTargetOf(systemAttrs: Readonly<Record<string, unknown>>): RunTarget | null {
  const t = systemAttrs[RUN_TARGET_KEY] as Partial<RunTarget> | undefined;
  if (!t || typeof t.finished !== 'number' || !Number.isFinite(t.finished)) return null;
  return { finished: t.finished, searchSize: typeof t.searchSize === 'number' ? t.searchSize : null };
}
