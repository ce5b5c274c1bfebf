/**
 * What `studyopt optimize --trials N` is working towards, kept with the study so that others
 * can show progress: the study's target of finished trials (COMPLETE or PRUNED: failed trials
 * do not count, as the run counts them), and the size of the sampler's search space when it is
 * finite (a grid: its coverage). Each run that sets a target writes it again; a run with
 * `--n-trials` (a number of trials more, not a total) leaves it as it was.
 */
import { RUN_TARGET_KEY, type RunTarget } from '../../run-target.js';
import type { Study } from '../../study.js';

// The key and its reader live in the core (src/run-target.ts), where samplers can read them too.
export { RUN_TARGET_KEY, type RunTarget, runTargetOf } from '../../run-target.js';

export function recordRunTarget(study: Study, target: RunTarget): void {
  study.setSystemAttr(RUN_TARGET_KEY, target);
}
