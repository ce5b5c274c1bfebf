/**
 * The overfitting statistics of an IB study (studies/ib/overfitting.ts) from its own log: the
 * inputs of the deflated Sharpe ratio and of the PBO rebuilt here from the trials one by one
 * (their stored Sharpe ratios, the best trial's trades, the top trials' trades by day), and the
 * published formulas (tested on their own in test/validation) applied to them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy, type Study } from '../../src/study.js';
import { probabilityOfBacktestOverfitting } from '../../src/validation/backtest-overfitting.js';
import { deflatedSharpeRatio } from '../../src/validation/deflated-sharpe.js';
import { RandomSampler } from '../../samplers/random.js';
import { objective, setup } from '../../studies/ib/objective.js';
import { ibOverfitting } from '../../studies/ib/overfitting.js';
import { ibStudySettings, rerunIbTrial } from '../../studies/ib/study-settings.js';

const previous = process.env['STUDYOPT_DATA_DIR'];
const CHOICE = { symbol: 'GER40', grid: 'expanded', objective: 'sharpe', from: '2025-01-01', to: '2025-06-30' } as const;
let study: Study;

beforeAll(async () => {
  process.env['STUDYOPT_DATA_DIR'] = mkdtempSync(join(tmpdir(), 'studyopt-ib-overfitting-'));
  setup({ ...CHOICE, minTrades: 0 });
  study = createStudy({ direction: 'maximize', sampler: new RandomSampler({ seed: 8 }) });
  study.setSystemAttr('studyopt:config', ibStudySettings(CHOICE));
  await study.optimize(objective, { nTrials: 30 });
});
afterAll(() => {
  if (previous === undefined) delete process.env['STUDYOPT_DATA_DIR'];
  else process.env['STUDYOPT_DATA_DIR'] = previous;
});

/** Population moments of xs as Bailey and Lopez de Prado use them: mean, sample sd, skewness, kurtosis. */
function moments(xs: readonly number[]): { sharpe: number; skewness: number; kurtosis: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const m = (k: number) => xs.reduce((a, x) => a + (x - mean) ** k, 0) / n;
  const sd = Math.sqrt((m(2) * n) / (n - 1));
  return { sharpe: mean / sd, skewness: m(3) / m(2) ** 1.5, kurtosis: m(4) / m(2) ** 2 };
}

describe('ibOverfitting', () => {
  it('deflates the best Sharpe ratio by every complete trial and the spread of their Sharpe ratios', () => {
    const o = ibOverfitting(study.storage, study.studyId)!;
    const complete = study.trials.filter((t) => t.state === 'COMPLETE');
    const perTrade = complete.map((t) => (t.userAttrs['sharpe_ratio'] as number) / Math.sqrt(252));
    const mean = perTrade.reduce((a, b) => a + b, 0) / perTrade.length;
    const variance = perTrade.reduce((a, x) => a + (x - mean) ** 2, 0) / (perTrade.length - 1);
    const best = study.bestTrial;
    const trades = rerunIbTrial(ibStudySettings(CHOICE), best.params).trades.map((t) => t.r);
    const m = moments(trades);
    expect(o.bestTrial).toBe(best.number);
    expect(o.trades).toBe(trades.length);
    expect(o.sharpe).toBeCloseTo(m.sharpe, 12);
    expect(o.annualisedSharpe).toBeCloseTo(best.userAttrs['sharpe_ratio'] as number, 3);
    expect(o.skewness).toBeCloseTo(m.skewness, 10);
    expect(o.kurtosis).toBeCloseTo(m.kurtosis, 10);
    expect(o.sharpeVariance).toBeCloseTo(variance, 12);
    expect(o.deflated.trials).toBe(complete.length);
    const expected = deflatedSharpeRatio({ sharpe: m.sharpe, sharpeVariance: variance, nTrials: complete.length, nObservations: trades.length, skewness: m.skewness, kurtosis: m.kurtosis });
    expect(o.deflated.dsr).toBeCloseTo(expected.dsr, 9);
    expect(o.deflated.expectedMaxSharpe).toBeCloseTo(expected.sr0, 12);
    // Deflating by 30 tries can only lower the probability that the Sharpe ratio is real.
    expect(o.deflated.dsr).toBeLessThan(o.psr);
    expect(o.effective!.trials).toBeGreaterThanOrEqual(1);
    expect(o.effective!.trials).toBeLessThanOrEqual(complete.length);
  });

  it("computes the PBO over the top trials' daily returns, zero on days without a trade", () => {
    const o = ibOverfitting(study.storage, study.studyId, { topTrials: 10, blocks: 8 })!;
    const top = study.trials
      .filter((t) => t.state === 'COMPLETE')
      .sort((a, b) => b.values![0] - a.values![0] || a.number - b.number)
      .slice(0, 10);
    const first = rerunIbTrial(ibStudySettings(CHOICE), top[0].params);
    const days = [...first.data.data.dayDate.subarray(first.data.dayFrom, first.data.dayTo)];
    const byDay = days.map(() => new Float64Array(top.length));
    top.forEach((t, n) => {
      for (const trade of rerunIbTrial(ibStudySettings(CHOICE), t.params).trades) byDay[days.indexOf(trade.day)][n] += trade.r;
    });
    const expected = probabilityOfBacktestOverfitting(byDay, { blocks: 8 });
    expect(o.pbo!.days).toBe(days.length);
    expect(o.pbo!.trials).toBe(10);
    expect(o.pbo!.combinations).toBe(70);
    expect(o.pbo!.value).toBe(expected.pbo);
    expect(o.pbo!.probabilityOfLoss).toBe(expected.probabilityOfLoss);
  });

  it('says why the PBO is missing when the study has fewer days than blocks', async () => {
    const o = ibOverfitting(study.storage, study.studyId, { blocks: 24, topTrials: 5 })!;
    expect(o.pbo).not.toBeNull();
    const short = createStudy({ direction: 'maximize', sampler: new RandomSampler({ seed: 1 }) });
    short.setSystemAttr('studyopt:config', ibStudySettings({ ...CHOICE, from: '2025-06-16', to: '2025-06-27' }));
    await short.optimize(objective, { nTrials: 2 });
    expect(ibOverfitting(short.storage, short.studyId)?.notes.join(' ')).toMatch(/needs at least 16 trading days \(one per block\), but the study has 10/);
  });
});
