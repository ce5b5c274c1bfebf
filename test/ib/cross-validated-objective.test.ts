/**
 * The IB study's cross-validated objective (`--folds`): each trial runs on every fold's
 * out-of-sample days, reports each fold's value as a step, and its value is the folds' mean,
 * median or worst; the metrics it stores cover all the folds' out-of-sample days together. The
 * expected fold days are written out here from the spec (6m = 126 trading days, 1m = 21), not
 * taken from the code under test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedianPruner } from '../../src/pruners/median.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { aggregateFolds, checkCrossValidation, foldOrder } from '../../studies/ib/cross-validation.js';
import { type SymbolData, loadSymbolData } from '../../studies/ib/data/store.js';
import { IbEngine } from '../../studies/ib/engine/engine.js';
import { DEFAULT_INITIAL_BALANCE, DEFAULT_RISK_PCT } from '../../studies/ib/metrics.js';
import { objective, setup } from '../../studies/ib/objective.js';
import { ibStudySettings, rerunIbTrial } from '../../studies/ib/study-settings.js';

const FOLDS = 'rolling:is=6m,oos=1m';
const previous = process.env['STUDYOPT_DATA_DIR'];
let data: SymbolData;
let engine: IbEngine;

beforeAll(() => {
  process.env['STUDYOPT_DATA_DIR'] = mkdtempSync(join(tmpdir(), 'studyopt-ib-cv-'));
  setup({ symbol: 'GER40', grid: 'expanded', objective: 'sharpe', minTrades: 10, folds: FOLDS });
  data = loadSymbolData('GER40');
  engine = new IbEngine(data.data);
});
afterAll(() => {
  if (previous === undefined) delete process.env['STUDYOPT_DATA_DIR'];
  else process.env['STUDYOPT_DATA_DIR'] = previous;
});

/** Fold i's out-of-sample days: after the first 126 in-sample days, 21 days each. */
function foldDays(i: number): { dayFrom: number; dayTo: number } {
  const dayFrom = data.dayFrom + 126 + 21 * i;
  return { dayFrom, dayTo: dayFrom + 21 };
}

describe('the cross-validated IB objective', () => {
  it('reports each fold as a step, returns their mean and stores the metrics of all out-of-sample days', async () => {
    const days = data.dayTo - data.dayFrom;
    const nFolds = Math.floor((days - 126) / 21);
    expect(nFolds).toBeGreaterThan(20);
    const study = createStudy({ direction: 'maximize', sampler: new RandomSampler({ seed: 3 }) });
    await study.optimize(objective, { nTrials: 4 });
    for (const trial of study.trials) {
      expect(trial.state).toBe('COMPLETE');
      const settings = ibStudySettings({ symbol: 'GER40', grid: 'expanded', objective: 'sharpe', folds: FOLDS });
      const { params } = rerunIbTrial(settings, trial.params);
      const run = (from: number, to: number) => engine.run(params, { dayFrom: from, dayTo: to, initialBalance: DEFAULT_INITIAL_BALANCE, riskPct: DEFAULT_RISK_PCT }).metrics;
      const expected = Array.from({ length: nFolds }, (_, i) => run(foldDays(i).dayFrom, foldDays(i).dayTo).sharpe_ratio);
      expect([...trial.intermediateValues.keys()]).toEqual(expected.map((_, i) => i));
      expect([...trial.intermediateValues.values()]).toEqual(expected);
      expect(trial.userAttrs['fold_values']).toEqual(expected);
      expect(trial.values![0]).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / nFolds, 12);
      // The stored metrics: every out-of-sample day together, from the first fold's to the last's.
      const all = run(foldDays(0).dayFrom, foldDays(nFolds - 1).dayTo);
      expect(trial.userAttrs['total_trades']).toBe(all.total_trades);
      expect(trial.userAttrs['sharpe_ratio']).toBe(all.sharpe_ratio);
    }
  });

  it('lets a pruner stop a bad trial after a few folds', async () => {
    const study = createStudy({ direction: 'maximize', sampler: new RandomSampler({ seed: 11 }), pruner: new MedianPruner({ nStartupTrials: 3, nWarmupSteps: 2 }) });
    await study.optimize(objective, { nTrials: 16 });
    const pruned = study.trials.filter((t) => t.state === 'PRUNED');
    const complete = study.trials.filter((t) => t.state === 'COMPLETE');
    expect(pruned.length).toBeGreaterThan(0);
    expect(complete.length).toBeGreaterThanOrEqual(3);
    const nFolds = complete[0].intermediateValues.size;
    for (const t of pruned) {
      // Pruned at a step after the warm-up, before the last fold.
      expect(t.intermediateValues.size).toBeGreaterThanOrEqual(3);
      expect(t.intermediateValues.size).toBeLessThan(nFolds);
      expect(t.userAttrs['fold_values']).toBeUndefined();
    }
  });

  it('shuffles the fold order per trial when asked: a permutation fixed by the trial number, the steps still the fold numbers', () => {
    const orders = Array.from({ length: 20 }, (_, n) => foldOrder(10, n, true));
    for (const order of orders) expect([...order].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(foldOrder(10, 7, true)).toEqual(orders[7]);
    expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(15);
    expect(foldOrder(10, 7, false)).toEqual([...Array(10).keys()]);
  });

  it('combines folds by mean, median or worst', () => {
    expect(aggregateFolds([3, -1, 2], 'mean')).toBeCloseTo(4 / 3, 15);
    expect(aggregateFolds([3, -1, 2], 'median')).toBe(2);
    expect(aggregateFolds([4, -1, 2, 3], 'median')).toBe(2.5);
    expect(aggregateFolds([3, -1, 2], 'worst')).toBe(-1);
  });

  it('refuses an unknown aggregate, an aggregate without folds and malformed folds, naming the fix', () => {
    expect(checkCrossValidation(FOLDS, undefined)).toBe('mean');
    expect(() => checkCrossValidation(FOLDS, 'best')).toThrow(/--aggregate must be one of mean, median, worst/);
    expect(() => checkCrossValidation(undefined, 'worst')).toThrow(/give --folds too/);
    expect(() => checkCrossValidation('rolling:is=6m', undefined)).toThrow(/oos/);
  });
});
