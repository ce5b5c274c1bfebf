/**
 * Parameter importances of a study or of a list of trials, by a chosen evaluator (Optuna's
 * `optuna.importance.get_param_importances`), and the evaluators by their CLI names.
 */
import type { Distribution } from '../distributions.js';
import { UsageError } from '../errors.js';
import type { FrozenTrial, StudyDirection } from '../frozen-trial.js';
import type { Study } from '../study.js';
import type { ImportanceEvaluator, ParamImportance } from './evaluator.js';
import { FanovaEvaluator, type FanovaOptions } from './fanova-evaluator.js';
import { observationsOf } from './observations.js';
import { PedAnovaEvaluator } from './ped-anova.js';

export const IMPORTANCE_EVALUATOR_NAMES = ['fanova', 'ped-anova'] as const;
export type ImportanceEvaluatorName = (typeof IMPORTANCE_EVALUATOR_NAMES)[number];

/** An evaluator by name; `seed` reaches fANOVA's forest. An unknown name is a UsageError listing the known ones. */
export function createImportanceEvaluator(name: string, options: { seed?: number } = {}): ImportanceEvaluator {
  switch (name) {
    case 'fanova':
      return new FanovaEvaluator({ seed: options.seed } satisfies FanovaOptions);
    case 'ped-anova':
      return new PedAnovaEvaluator();
    default:
      throw new UsageError(`unknown importance evaluator '${name}': choose one of ${IMPORTANCE_EVALUATOR_NAMES.join(', ')}`);
  }
}

export interface ParamImportancesOptions {
  /** Default: fANOVA with seed 0. */
  evaluator?: ImportanceEvaluator;
  /** Which objective of a multi-objective study (default 0). */
  objectiveIndex?: number;
  /** Only these parameters (default: every parameter of the trials). */
  params?: readonly string[];
  /**
   * The objective's direction when `source` is a list of trials (default 'minimize'); a study
   * knows its own. Only PED-ANOVA reads it.
   */
  direction?: StudyDirection;
}

/**
 * Each parameter's importance, most important first, from the COMPLETE, feasible trials with a
 * finite value. Fewer than 2 such trials, an objective index the study does not have or a
 * parameter no trial has is a UsageError.
 */
export function paramImportances(source: Study | readonly FrozenTrial[], options: ParamImportancesOptions = {}): ParamImportance[] {
  const isStudy = !Array.isArray(source);
  const trials = isStudy ? (source as Study).trials : (source as readonly FrozenTrial[]);
  const directions = isStudy ? (source as Study).directions : null;
  const objectiveIndex = options.objectiveIndex ?? 0;
  if (!Number.isInteger(objectiveIndex) || objectiveIndex < 0 || (directions !== null && objectiveIndex >= directions.length)) {
    const count = directions ? `the study has ${directions.length} objective${directions.length === 1 ? '' : 's'}, numbered from 0` : 'objectives are numbered from 0';
    throw new UsageError(`objectiveIndex must be a whole number >= 0 (${count}), but got ${objectiveIndex}`);
  }
  const direction = directions ? directions[objectiveIndex] : (options.direction ?? 'minimize');
  const { observations, distributions } = observationsOf(trials, objectiveIndex);
  if (observations.length < 2) {
    throw new UsageError(`parameter importances need at least 2 complete trials with a finite value, but there ${observations.length === 1 ? 'is 1' : `are ${observations.length}`}: run more trials first`);
  }
  let chosen: Record<string, Distribution> = distributions;
  if (options.params) {
    const unknown = options.params.filter((p) => !(p in distributions));
    if (unknown.length) throw new UsageError(`no complete trial has the parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the trials have: ${Object.keys(distributions).join(', ')}`);
    chosen = Object.fromEntries(options.params.map((p) => [p, distributions[p]]));
  }
  const evaluator = options.evaluator ?? new FanovaEvaluator();
  return evaluator.evaluate({ observations, distributions: chosen, direction });
}
