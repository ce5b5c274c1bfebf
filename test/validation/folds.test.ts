/**
 * Folds by trading day (src/validation/folds.ts): walk-forward windows, purged k-fold with an
 * embargo, combinatorial purged cross-validation and its paths, and the CLI's syntax.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { type DayRange, dayCount, makeFolds, parseFolds } from '../../src/validation/folds.js';

const days = (ranges: readonly DayRange[]): number[] => ranges.flatMap((r) => Array.from({ length: r.to - r.from }, (_, i) => r.from + i));

describe('walk-forward folds', () => {
  it('rolling: a fixed in-sample window and the out-of-sample window right after it, moved by the step', () => {
    const { folds } = makeFolds({ kind: 'rolling', inSample: 10, outOfSample: 3 }, 20);
    expect(folds.map((f) => [f.inSample, f.outOfSample])).toEqual([
      [[{ from: 0, to: 10 }], [{ from: 10, to: 13 }]],
      [[{ from: 3, to: 13 }], [{ from: 13, to: 16 }]],
      [[{ from: 6, to: 16 }], [{ from: 16, to: 19 }]],
    ]);
    // Out-of-sample windows follow each other without gaps or overlaps (the stitched curve).
    expect(folds.flatMap((f) => days(f.outOfSample))).toEqual(Array.from({ length: 9 }, (_, i) => 10 + i));
  });

  it('anchored: the in-sample part starts at day 0 and grows; a step other than the out-of-sample length', () => {
    const { folds } = makeFolds({ kind: 'anchored', inSample: 10, outOfSample: 4, step: 2 }, 18);
    expect(folds.map((f) => [f.inSample[0], f.outOfSample[0]])).toEqual([
      [{ from: 0, to: 10 }, { from: 10, to: 14 }],
      [{ from: 0, to: 12 }, { from: 12, to: 16 }],
      [{ from: 0, to: 14 }, { from: 14, to: 18 }],
    ]);
  });

  it('refuses windows longer than the data, naming both', () => {
    expect(() => makeFolds({ kind: 'rolling', inSample: 126, outOfSample: 21 }, 62)).toThrow(/need at least 147 days, but the data has 62/);
  });
});

describe('purged k-fold and CPCV', () => {
  it('k-fold: every day tested exactly once, training on the rest less purge and embargo', () => {
    const { folds } = makeFolds({ kind: 'kfold', k: 4, purge: 1, embargo: 2 }, 22);
    expect(folds.flatMap((f) => days(f.outOfSample))).toEqual(Array.from({ length: 22 }, (_, i) => i));
    expect(folds.map((f) => f.outOfSample)).toEqual([[{ from: 0, to: 6 }], [{ from: 6, to: 12 }], [{ from: 12, to: 17 }], [{ from: 17, to: 22 }]]);
    // Fold 1 tests days 6-11: day 5 is purged, days 12-13 embargoed.
    expect(folds[1].inSample).toEqual([{ from: 0, to: 5 }, { from: 14, to: 22 }]);
    for (const f of folds) {
      const test = new Set(days(f.outOfSample));
      expect(days(f.inSample).some((d) => test.has(d))).toBe(false);
    }
  });

  it('CPCV: C(N, k) splits, each group tested in C(N-1, k-1) of them, paths covering every group once', () => {
    const plan = makeFolds({ kind: 'cpcv', groups: 6, testGroups: 2, embargo: 1 }, 60);
    expect(plan.folds).toHaveLength(15);
    expect(plan.paths).toHaveLength(5);
    for (const path of plan.paths!) {
      // Group g of a path is tested by the fold it names, and the path's folds together test every day once.
      const tested = path.flatMap((fold, g) => {
        const groupDays = Array.from({ length: 10 }, (_, i) => g * 10 + i);
        expect(days(plan.folds[fold].outOfSample)).toEqual(expect.arrayContaining(groupDays));
        return groupDays;
      });
      expect(tested).toEqual(Array.from({ length: 60 }, (_, i) => i));
    }
    // Two adjacent test groups are one out-of-sample range; the training days skip a day of embargo after each.
    const first = plan.folds[0];
    expect(first.outOfSample).toEqual([{ from: 0, to: 20 }]);
    expect(first.inSample).toEqual([{ from: 21, to: 60 }]);
    expect(dayCount(first.inSample)).toBe(39);
  });

  it('refuses impossible splits', () => {
    expect(() => makeFolds({ kind: 'cpcv', groups: 4, testGroups: 4 }, 40)).toThrow(/k \(test groups\) must be a whole number from 1 to n - 1 = 3/);
    expect(() => makeFolds({ kind: 'kfold', k: 10 }, 6)).toThrow(/10 groups need at least 10 trading days/);
    expect(() => makeFolds({ kind: 'kfold', k: 2, embargo: 30 }, 20)).toThrow(/leave no training days/);
  });
});

describe('the --folds syntax', () => {
  it('reads each kind, with durations in trading days, weeks, months or years', () => {
    expect(parseFolds('rolling:is=6m,oos=1m')).toEqual({ kind: 'rolling', inSample: 126, outOfSample: 21, step: undefined });
    expect(parseFolds('anchored:is=120,oos=20,step=2w')).toEqual({ kind: 'anchored', inSample: 120, outOfSample: 20, step: 10 });
    expect(parseFolds('kfold:k=5,embargo=2')).toEqual({ kind: 'kfold', k: 5, purge: undefined, embargo: 2 });
    expect(parseFolds('cpcv:n=6,k=2,purge=1,embargo=1d')).toEqual({ kind: 'cpcv', groups: 6, testGroups: 2, purge: 1, embargo: 1 });
  });

  it.each([
    ['walk:is=10,oos=2', /unknown kind 'walk'/],
    ['rolling:is=10', /rolling needs oos=/],
    ['rolling:is=10,oos=2,k=3', /rolling takes is, oos, step, not 'k'/],
    ['rolling:is=ten,oos=2', /is=ten is not a duration/],
    ['kfold:k=5,k=6', /'k' is given twice/],
    ['kfold:k=5;embargo=2', /is not a whole number|is not key=value/],
  ])('%s: a clear message with the syntax', (text, message) => {
    expect(() => parseFolds(text)).toThrow(UsageError);
    expect(() => parseFolds(text)).toThrow(message);
    expect(() => parseFolds(text)).toThrow(/write rolling:is=6m,oos=1m/);
  });

  it('checks the values as makeFolds does', () => {
    expect(() => parseFolds('cpcv:n=6,k=6')).toThrow(/k \(test groups\) must be a whole number from 1 to n - 1 = 5/);
    expect(() => parseFolds('kfold:k=1')).toThrow(/k must be a whole number >= 2/);
  });
});
