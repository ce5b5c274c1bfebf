/**
 * The report's "Parameter importances" section: fANOVA and PED-ANOVA side by side. The
 * evaluators live in the core (src/importance/); the names below are re-exported for the report's
 * other modules and older imports.
 */
import type { Distribution } from '../../distributions.js';
import type { StudyDirection } from '../../frozen-trial.js';
import type { ParamImportance } from '../../importance/evaluator.js';
import { FanovaEvaluator } from '../../importance/fanova-evaluator.js';
import type { Observation } from '../../importance/observations.js';
import { PedAnovaEvaluator } from '../../importance/ped-anova.js';
import type { Chart, Section } from './page.js';

export type { ParamImportance } from '../../importance/evaluator.js';
export { type Observation, observationsOf } from '../../importance/observations.js';
export { type PedAnovaImportance, type PedAnovaOptions as ImportanceOptions, pearsonDivergence, pedAnovaImportances } from '../../importance/ped-anova.js';

/** fANOVA in the report fits on at most this many trials (a random subsample beyond it). */
export const REPORT_FANOVA_MAX_TRIALS = 20_000;

export interface ImportanceSection {
  /** Null with fewer than 4 observations or no parameter. */
  readonly section: Section | null;
  /** Parameter names, most important first (fANOVA's order, then any it left out in PED-ANOVA's). */
  readonly ranked: string[];
}

/** Both evaluators on the study's observations, as one section with one grouped bar chart. */
export function importanceSection(observations: readonly Observation[], distributions: Readonly<Record<string, Distribution>>, direction: StudyDirection): ImportanceSection {
  if (observations.length < 4 || Object.keys(distributions).length === 0) return { section: null, ranked: Object.keys(distributions) };
  const input = { observations, distributions, direction };
  const fanova = new FanovaEvaluator({ maxObservations: REPORT_FANOVA_MAX_TRIALS }).evaluate(input);
  const pedAnova = new PedAnovaEvaluator().evaluate(input);
  const inFanova = new Set(fanova.map((p) => p.name));
  const ranked = [...fanova.map((p) => p.name), ...pedAnova.map((p) => p.name).filter((n) => !inFanova.has(n))];
  const leftOut = ranked.filter((n) => !inFanova.has(n));
  const intro = leftOut.length
    ? `fANOVA judges only the parameters every trial sets; it leaves out ${leftOut.join(', ')} (set in some trials only), which PED-ANOVA judges on the trials that set them.`
    : undefined;
  return { section: { title: 'Parameter importances', intro, charts: [importanceComparisonChart(fanova, pedAnova, ranked, observations.length)] }, ranked };
}

/** One row per parameter, a bar per evaluator: fANOVA in blue, PED-ANOVA in orange. */
export function importanceComparisonChart(fanova: readonly ParamImportance[], pedAnova: readonly ParamImportance[], order: readonly string[], nTrials: number): Chart {
  const rows = [
    ...fanova.map((p) => ({ param: p.name, evaluator: 'fANOVA', importance: p.importance })),
    ...pedAnova.map((p) => ({ param: p.name, evaluator: 'PED-ANOVA', importance: p.importance })),
  ];
  const sampled = nTrials > REPORT_FANOVA_MAX_TRIALS ? ` fANOVA fits on a random ${REPORT_FANOVA_MAX_TRIALS.toLocaleString('en-US')} of the ${nTrials.toLocaleString('en-US')} trials.` : '';
  return {
    title: 'Parameter importances (fANOVA and PED-ANOVA)',
    note:
      "fANOVA (Hutter et al. 2014): the share of the objective's variance over the whole search space that each parameter explains on its own, from a random forest fitted to the trials. " +
      'PED-ANOVA (Watanabe et al. 2023): how strongly the top 10% of trials prefer particular values of it. ' +
      `A parameter high on both matters everywhere and for the best trials; high on PED-ANOVA only, it matters mostly near the best.${sampled}`,
    spec: {
      width: 440,
      height: { step: 26 },
      data: { values: rows },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'param', type: 'nominal', sort: [...order], title: null },
        yOffset: { field: 'evaluator', type: 'nominal', sort: ['fANOVA', 'PED-ANOVA'] },
        x: { field: 'importance', type: 'quantitative', title: 'importance', axis: { format: '.0%' } },
        color: { field: 'evaluator', type: 'nominal', title: null, scale: { domain: ['fANOVA', 'PED-ANOVA'], range: ['#4c78a8', '#f58518'] } },
        tooltip: [{ field: 'param' }, { field: 'evaluator' }, { field: 'importance', format: '.1%' }],
      },
    },
  };
}
