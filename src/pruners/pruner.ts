import type { FrozenTrial } from '../frozen-trial.js';
import type { Study } from '../study.js';

/** Decides, from a running trial's intermediate values, whether to stop it early. */
export interface Pruner {
  prune(study: Study, trial: FrozenTrial): boolean;
}

/** Never prunes: the default. */
export class NopPruner implements Pruner {
  prune(): boolean {
    return false;
  }
}
