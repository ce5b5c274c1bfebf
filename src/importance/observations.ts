/**
 * Finished trials reduced to what an importance evaluator reads: one objective value and the
 * parameters' internal values (src/distributions.ts: numbers as they are, categorical and ordinal
 * choices as their index).
 */
import type { Distribution } from '../distributions.js';
import { toInternal } from '../distributions.js';
import type { FrozenTrial } from '../frozen-trial.js';
import { isFeasible } from '../frozen-trial.js';

/** A trial reduced to what importances need. */
export interface Observation {
  readonly value: number;
  readonly params: Readonly<Record<string, number>>;
}

/**
 * Observations from COMPLETE, feasible trials whose objective `objectiveIndex` (default 0) is a
 * finite number, with each parameter's distribution (the first trial's, when it changed).
 */
export function observationsOf(
  trials: readonly FrozenTrial[],
  objectiveIndex = 0,
): { observations: Observation[]; distributions: Record<string, Distribution> } {
  const distributions: Record<string, Distribution> = {};
  const observations: Observation[] = [];
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || !t.values || !isFeasible(t)) continue;
    const value = t.values[objectiveIndex];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const params: Record<string, number> = {};
    for (const [k, v] of Object.entries(t.params)) {
      const d = t.distributions[k];
      if (!d) continue;
      distributions[k] ??= d;
      try {
        params[k] = toInternal(distributions[k], v);
      } catch {
        // A parameter whose distribution changed across trials: judged on the first one's trials.
      }
    }
    observations.push({ value, params });
  }
  return { observations, distributions };
}
