import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { PRUNER_NAMES, createPruner } from '../../src/pruners/by-name.js';
import { HyperbandPruner } from '../../src/pruners/hyperband.js';
import { MedianPruner } from '../../src/pruners/median.js';
import { NopPruner } from '../../src/pruners/pruner.js';
import { SuccessiveHalvingPruner } from '../../src/pruners/successive-halving.js';
import { WilcoxonPruner } from '../../src/pruners/wilcoxon.js';

/** The UsageError `f` throws, or a failure. */
function usageError(f: () => unknown): UsageError {
  try {
    f();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('createPruner', () => {
  it('names the five pruners', () => {
    expect(PRUNER_NAMES).toEqual(['none', 'median', 'wilcoxon', 'successive-halving', 'hyperband']);
  });

  it('builds each pruner with its defaults', () => {
    expect(createPruner('none', {})).toBeInstanceOf(NopPruner);
    expect(createPruner('median', {})).toBeInstanceOf(MedianPruner);
    expect(createPruner('wilcoxon', {})).toBeInstanceOf(WilcoxonPruner);
    expect(createPruner('successive-halving', {})).toBeInstanceOf(SuccessiveHalvingPruner);
    expect(createPruner('hyperband', {})).toBeInstanceOf(HyperbandPruner);
  });

  it('passes camelCase options through, skipping undefined ones', () => {
    const w = createPruner('wilcoxon', { pThreshold: 0.05, nStartupSteps: 3 }) as WilcoxonPruner;
    expect([w.pThreshold, w.nStartupSteps]).toEqual([0.05, 3]);
    const sh = createPruner('successive-halving', { minResource: 'auto', reductionFactor: 3, minEarlyStoppingRate: 1, bootstrapCount: undefined }) as SuccessiveHalvingPruner;
    expect([sh.reductionFactor, sh.minEarlyStoppingRate, sh.bootstrapCount]).toEqual([3, 1, 0]);
    const hb = createPruner('hyperband', { minResource: 2, maxResource: 100, reductionFactor: 2, bootstrapCount: 1 }) as HyperbandPruner;
    expect([hb.minResource, hb.reductionFactor, hb.bootstrapCount]).toEqual([2, 2, 1]);
    expect(createPruner('median', { nStartupTrials: 2, nWarmupSteps: 1, intervalSteps: 2, nMinTrials: 1 })).toBeInstanceOf(MedianPruner);
  });

  it('names an unknown pruner and lists the known ones', () => {
    const err = usageError(() => createPruner('asha', {}));
    expect(err.message).toContain("'asha'");
    for (const name of PRUNER_NAMES) expect(err.message).toContain(name);
    expect(() => createPruner('toString', {})).toThrow(UsageError);
  });

  it("names an unknown option and lists the pruner's options", () => {
    const err = usageError(() => createPruner('wilcoxon', { p_threshold: 0.1 }));
    expect(err.message).toContain("'p_threshold'");
    expect(err.message).toContain('pThreshold, nStartupSteps');
    expect(usageError(() => createPruner('none', { x: 1 })).message).toMatch(/'none'.*'x'.*takes no options/);
    expect(usageError(() => createPruner('hyperband', { minEarlyStoppingRate: 1 })).message).toContain('minResource, maxResource, reductionFactor, bootstrapCount');
  });

  it('refuses values of the wrong type or out of range, naming the option', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['wilcoxon', { pThreshold: '0.1' }, /pThreshold.*a number/],
      ['wilcoxon', { pThreshold: Number.NaN }, /pThreshold.*a number/],
      ['wilcoxon', { nStartupSteps: 2.5 }, /nStartupSteps.*an integer/],
      ['wilcoxon', { pThreshold: 2 }, /pThreshold/],
      ['median', { nStartupTrials: -1 }, /nStartupTrials/],
      ['successive-halving', { minResource: 'max' }, /minResource.*an integer or 'auto'/],
      ['successive-halving', { reductionFactor: 1 }, /reductionFactor/],
      ['successive-halving', { bootstrapCount: 1 }, /bootstrapCount/], // with minResource 'auto'
      ['hyperband', { minResource: 'auto' }, /minResource.*an integer/],
      ['hyperband', { maxResource: true }, /maxResource.*an integer or 'auto'/],
    ];
    for (const [name, options, message] of cases) {
      expect(usageError(() => createPruner(name, options)).message).toMatch(message);
    }
  });
});
