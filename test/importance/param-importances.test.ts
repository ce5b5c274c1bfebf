import { describe, expect, it } from 'vitest';
import { FanovaEvaluator, PedAnovaEvaluator, UsageError, createImportanceEvaluator, createStudy, paramImportances } from '../../src/index.js';
import { RandomSampler } from '../../samplers/random.js';

async function study(nTrials: number, directions: ('minimize' | 'maximize')[] = ['minimize']) {
  const s = createStudy({ studyName: 'imp', directions, sampler: new RandomSampler({ seed: 9 }) });
  await s.optimize(
    (t) => {
      const a = t.suggestFloat('a', 0, 1);
      const b = t.suggestFloat('b', 0, 1);
      const values = [10 * a + b, 10 * b + a];
      return directions.length === 1 ? values[0] : values;
    },
    { nTrials },
  );
  return s;
}

describe('paramImportances', () => {
  it('judges a study with fANOVA by default, and with the evaluator given', async () => {
    const s = await study(60);
    const fanova = paramImportances(s);
    expect(fanova.map((p) => p.name)).toEqual(['a', 'b']);
    expect(fanova).toEqual(paramImportances(s.trials, { evaluator: new FanovaEvaluator() }));
    const ped = paramImportances(s, { evaluator: new PedAnovaEvaluator() });
    expect(ped[0].name).toBe('a');
    expect(paramImportances(s, { params: ['b'] }).map((p) => p.name)).toEqual(['b']);
  });

  it('reads the objective named by objectiveIndex', async () => {
    const s = await study(60, ['minimize', 'maximize']);
    expect(paramImportances(s, { objectiveIndex: 0 })[0].name).toBe('a');
    expect(paramImportances(s, { objectiveIndex: 1 })[0].name).toBe('b');
    expect(() => paramImportances(s, { objectiveIndex: 2 })).toThrow(/objectiveIndex .*the study has 2 objectives/);
  });

  it('refuses fewer than 2 trials, unknown parameters and unknown evaluator names', async () => {
    const s = await study(1);
    expect(() => paramImportances(s)).toThrow(UsageError);
    expect(() => paramImportances(s)).toThrow(/at least 2 complete trials .* there is 1/);
    const t = await study(5);
    expect(() => paramImportances(t, { params: ['c'] })).toThrow(/no complete trial has the parameter c; the trials have: a, b/);
    expect(() => createImportanceEvaluator('shap')).toThrow(/unknown importance evaluator 'shap': choose one of fanova, ped-anova/);
    expect(createImportanceEvaluator('ped-anova').name).toBe('ped-anova');
  });
});
