import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../src/distributions.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import type { Study } from '../../src/study.js';
import { createStudy } from '../../src/study.js';
import { GPSampler } from '../../samplers/gp/sampler.js';

/** A GP sampler that counts how often it is asked for relative (model-based) values. */
class CountingGP extends GPSampler {
  relativeCalls = 0;
  override sampleRelative(study: Study, trial: FrozenTrial, space: SearchSpace) {
    this.relativeCalls++;
    return super.sampleRelative(study, trial, space);
  }
}

const objective = (t: { suggestFloat(n: string, l: number, h: number): number }) => {
  const x = t.suggestFloat('x', -5, 5);
  const y = t.suggestFloat('y', -5, 5);
  return (x - 1) ** 2 + (y + 2) ** 2;
};

describe('relative sampling of decided trials', () => {
  it('does not ask the model for a trial whose every parameter is enqueued', async () => {
    const sampler = new CountingGP({ seed: 3, nStartupTrials: 2 });
    const study = createStudy({ sampler });
    await study.optimize(objective, { nTrials: 4 });
    const before = sampler.relativeCalls;
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) study.enqueueTrial({ x: i - 2, y: 0.5 * i });
    await study.optimize(objective, { nTrials: 5 });
    expect(sampler.relativeCalls).toBe(before);
    const last = study.getTrials().slice(-5).map((t) => t.params);
    expect(last).toEqual([0, 1, 2, 3, 4].map((i) => ({ x: i - 2, y: 0.5 * i })));
  });

  it('still asks the model when an enqueued trial leaves a parameter to sampling', async () => {
    const sampler = new CountingGP({ seed: 3, nStartupTrials: 2 });
    const study = createStudy({ sampler });
    await study.optimize(objective, { nTrials: 4 });
    const before = sampler.relativeCalls;
    study.enqueueTrial({ x: 0 });
    await study.optimize(objective, { nTrials: 1 });
    expect(sampler.relativeCalls).toBe(before + 1);
    const last = study.getTrials().at(-1)!;
    expect(last.params.x).toBe(0);
    expect(typeof last.params.y).toBe('number');
  });
});
