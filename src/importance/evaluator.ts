/**
 * What every parameter-importance evaluator shares (Optuna's `BaseImportanceEvaluator`): it reads
 * a study's observations and says, for each parameter, which share of the objective's behaviour it
 * accounts for. The evaluators: fANOVA (fanova.ts, by random forest) and PED-ANOVA (ped-anova.ts,
 * by the top trials' densities); `paramImportances` (param-importances.ts) runs one on a study.
 */
import type { Distribution } from '../distributions.js';
import type { StudyDirection } from '../frozen-trial.js';
import type { Observation } from './observations.js';

export interface ParamImportance {
  readonly name: string;
  /** Share of the total, 0–1; the importances of one evaluation sum to 1. */
  readonly importance: number;
}

export interface ImportanceInput {
  readonly observations: readonly Observation[];
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** Which way the objective is better (PED-ANOVA's top trials depend on it; fANOVA's do not). */
  readonly direction: StudyDirection;
}

export interface ImportanceEvaluator {
  /** The name the CLI knows it by: 'fanova' or 'ped-anova'. */
  readonly name: string;
  /** One entry per parameter it judges, most important first. */
  evaluate(input: ImportanceInput): ParamImportance[];
}
