/**
 * SuccessiveHalvingPruner on recorded sequences. Each expected decision follows by hand from
 * Optuna's rules (`optuna/pruners/_successive_halving.py`): rung r at step
 * minResource * reductionFactor^(minEarlyStoppingRate + r); at a rung, the trial's value joins the
 * `completed_rung_{r}` values of the other trials, and it goes on iff it is at least as good as
 * the k-th best of them, k = max(floor(count / reductionFactor), 1).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { SuccessiveHalvingPruner, type SuccessiveHalvingPrunerOptions } from '../../src/pruners/successive-halving.js';
import { createStudy, type Study } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

function newStudy(options: SuccessiveHalvingPrunerOptions, direction: 'minimize' | 'maximize' = 'minimize') {
  return createStudy({ direction, pruner: new SuccessiveHalvingPruner(options), sampler: new RandomSampler({ seed: 0 }) });
}

/** Reports `value` at steps 0..lastStep, asking shouldPrune() after each, until pruned. Returns the decisions. */
function run(study: Study, value: number | ((step: number) => number), lastStep: number, finish = true): boolean[] {
  const t = study.ask();
  const out: boolean[] = [];
  for (let step = 0; step <= lastStep; step++) {
    t.report(typeof value === 'number' ? value : value(step), step);
    out.push(t.shouldPrune());
    if (out.at(-1)) {
      study.tell(t, null, { state: 'PRUNED' });
      return out;
    }
  }
  if (finish) study.tell(t, typeof value === 'number' ? value : value(lastStep));
  return out;
}

const attrs = (study: Study, n: number) => study.trials[n].systemAttrs;

describe('SuccessiveHalvingPruner', () => {
  it("has Optuna's defaults and refuses bad options", () => {
    const p = new SuccessiveHalvingPruner();
    expect([p.reductionFactor, p.minEarlyStoppingRate, p.bootstrapCount]).toEqual([4, 0, 0]);
    for (const bad of [
      { minResource: 0 },
      { minResource: 1.5 },
      { minResource: 'max' as unknown as 'auto' },
      { reductionFactor: 1 },
      { minEarlyStoppingRate: -1 },
      { bootstrapCount: -1 },
      { bootstrapCount: 1 }, // with minResource 'auto'
    ]) {
      expect(() => new SuccessiveHalvingPruner(bad)).toThrow(UsageError);
    }
    expect(() => new SuccessiveHalvingPruner({ bootstrapCount: 1, minResource: 1 })).not.toThrow();
  });

  it('promotes the top 1/reductionFactor at each rung and stores completed_rung_{r} (minimize)', () => {
    // Rungs at steps 1, 2, 4, 8.
    const study = newStudy({ minResource: 1, reductionFactor: 2 });
    // Trial 0 is alone at every rung: always promoted.
    expect(run(study, 1.0, 8)).toEqual(new Array(9).fill(false));
    expect(attrs(study, 0)).toMatchObject({ completed_rung_0: 1, completed_rung_1: 1, completed_rung_2: 1, completed_rung_3: 1 });
    // Rung 0 holds {1, 2}: floor(2/2) = 1, only the best goes on.
    expect(run(study, 2.0, 8)).toEqual([false, true]);
    expect(attrs(study, 1).completed_rung_0).toBe(2);
    expect(study.trials[1].state).toBe('PRUNED');
    // Rung 0 {1, 2, 0.5}: best, on; rung 1 {1, 0.5}: best, on.
    expect(run(study, 0.5, 8)).toEqual(new Array(9).fill(false));
    // Rung 0 {1, 2, 0.5, 0.75}: top 2 go on, 0.75 is second; rung 1 {1, 0.5, 0.75}: only 0.5.
    expect(run(study, 0.75, 8)).toEqual([false, false, true]);
    expect(attrs(study, 3)).toMatchObject({ completed_rung_0: 0.75, completed_rung_1: 0.75 });
    expect(attrs(study, 3)).not.toHaveProperty('completed_rung_2');
  });

  it('keeps the highest values when maximizing', () => {
    const study = newStudy({ minResource: 1, reductionFactor: 2 }, 'maximize');
    expect(run(study, -1.0, 8)).toEqual(new Array(9).fill(false));
    expect(run(study, -2.0, 8)).toEqual([false, true]);
    expect(run(study, -0.5, 8)).toEqual(new Array(9).fill(false));
    expect(run(study, -0.75, 8)).toEqual([false, false, true]);
  });

  it('passes several rungs in one decision when steps jump, ties promoted', () => {
    const study = newStudy({ minResource: 1, reductionFactor: 2 });
    const t = study.ask();
    t.report(3, 0);
    t.report(3, 8);
    expect(t.shouldPrune()).toBe(false);
    expect(attrs(study, 0)).toMatchObject({ completed_rung_0: 3, completed_rung_1: 3, completed_rung_2: 3, completed_rung_3: 3 });
    study.tell(t, 3);
    expect(run(study, 3, 8)).toEqual(new Array(9).fill(false)); // a tie with the best goes on
  });

  it('does not repeat a rung already passed when asked twice at one step', () => {
    const study = newStudy({ minResource: 1, reductionFactor: 2 });
    const a = study.ask();
    a.report(1.0, 0);
    a.report(1.0, 1);
    expect(a.shouldPrune()).toBe(false); // alone at rung 0
    const b = study.ask();
    b.report(0.5, 0);
    b.report(0.5, 1);
    expect(b.shouldPrune()).toBe(false); // best at rung 0
    // A has passed rung 0; its next rung is at step 2 (Optuna reads the trial afresh).
    expect(a.shouldPrune()).toBe(false);
  });

  it("estimates 'auto' as max(floor(last step / 100), 1) from completed trials, pruning nothing before", () => {
    const study = newStudy({}); // reductionFactor 4: rungs at minResource * 1, 4, 16, ...
    // No completed trial yet: never pruned, however bad.
    expect(run(study, 1.0, 299)).toEqual(new Array(300).fill(false));
    // Completed with last step 299: minResource = floor(2.99) = 2 (not 3).
    expect(run(study, 1.0, 10, false)).toEqual(new Array(11).fill(false)); // alone at rungs 2, 8
    expect(run(study, 2.0, 10)).toEqual([false, false, true]);
  });

  it('shifts the first rung by minEarlyStoppingRate', () => {
    const study = newStudy({ minResource: 1, reductionFactor: 2, minEarlyStoppingRate: 1 }); // rungs at 2, 4, 8
    expect(run(study, 1.0, 8)).toEqual(new Array(9).fill(false));
    expect(run(study, 2.0, 8)).toEqual([false, false, true]);
    expect(attrs(study, 1)).toHaveProperty('completed_rung_0', 2);
  });

  it('prunes at a rung until more than bootstrapCount trials have reached it', () => {
    const study = newStudy({ minResource: 1, reductionFactor: 2, bootstrapCount: 2 });
    expect(run(study, 1.0, 8)).toEqual([false, true]); // 1 value at rung 0 <= 2
    expect(run(study, 2.0, 8)).toEqual([false, true]); // 2 values
    // 3 values at rung 0, and the best: on; alone at rung 1 (step 2): pruned.
    expect(run(study, 0.1, 8)).toEqual([false, false, true]);
  });

  it('prunes a NaN value at a rung, not before', () => {
    const study = newStudy({ minResource: 1, reductionFactor: 2 });
    expect(run(study, Number.NaN, 8)).toEqual([false, true]);
    expect(attrs(study, 0)).not.toHaveProperty('completed_rung_0');
  });

  it('does not prune a trial without intermediate values and refuses several objectives', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1 });
    const study = createStudy({ directions: ['minimize', 'minimize'], pruner });
    const t = study.ask();
    expect(pruner.prune(study, t.snapshot())).toBe(false);
    const frozen: FrozenTrial = { ...t.snapshot(), intermediateValues: new Map([[3, 1]]) };
    expect(() => pruner.prune(study, frozen)).toThrow(UsageError);
  });
});
