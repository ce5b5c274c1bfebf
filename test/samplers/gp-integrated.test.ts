/**
 * The GP's acquisition integrated over hyper-parameter draws (issue 16, `hyperparameterDraws`):
 * the slice sampler's draws against the posterior integrated on a grid, the integrated
 * acquisition's value and gradient, and the sampler's option (0 changes nothing, a bad value is a
 * UsageError, draws give valid and reproducible proposals).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { createStudy } from '../../src/study.js';
import { GPRegressor, GPSampler, registryEntry } from '../../samplers/gp/index.js';
import { MINIMUM_NOISE, mapLoss } from '../../samplers/gp/gp.js';
import { LogEI } from '../../samplers/gp/acquisition.js';
import { sampleKernelParams } from '../../samplers/gp/hyperparameter-samples.js';
import { IntegratedAcquisition } from '../../samplers/gp/integrated-acquisition.js';

/** Ten points of a smooth 1-D function, standardised. */
function toyData(): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: 10 }, (_, i) => (i + 0.5) / 10);
  const raw = Array.from(x, (v) => Math.sin(6 * v) + 0.3 * v);
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length);
  return { x, y: Float64Array.from(raw, (v) => (v - mean) / sd) };
}

describe('hyper-parameter draws (slice sampling)', () => {
  it('have the posterior means of log θ and log s computed on a grid', () => {
    // Deterministic objective: the posterior is over (log θ, log s) only; its means by a
    // 240 × 240 grid quadrature of exp(-mapLoss) against those of 4,000 draws of one chain.
    const { x, y } = toyData();
    const isCat = new Uint8Array(1);
    const { loss } = mapLoss(x, y, 1, isCat, true);
    const lo = [-4, -4];
    const hi = [8, 4];
    const steps = 240;
    const logs: number[] = [];
    const at: [number, number][] = [];
    for (let i = 0; i < steps; i++) {
      for (let j = 0; j < steps; j++) {
        const a = lo[0] + ((i + 0.5) * (hi[0] - lo[0])) / steps;
        const b = lo[1] + ((j + 0.5) * (hi[1] - lo[1])) / steps;
        logs.push(-loss(Float64Array.from([a, b, 0]), null));
        at.push([a, b]);
      }
    }
    const top = Math.max(...logs);
    let total = 0;
    const mean = [0, 0];
    const second = [0, 0];
    logs.forEach((l, p) => {
      const w = Math.exp(l - top);
      total += w;
      for (let c = 0; c < 2; c++) {
        mean[c] += w * at[p][c];
        second[c] += w * at[p][c] ** 2;
      }
    });
    const gridMean = mean.map((m) => m / total);
    const gridSd = second.map((s, c) => Math.sqrt(s / total - gridMean[c] ** 2));
    // The mass must lie inside the grid for the comparison to mean anything.
    expect(gridMean[0]).toBeGreaterThan(lo[0] + 4 * gridSd[0]);
    expect(gridMean[0]).toBeLessThan(hi[0] - 4 * gridSd[0]);

    // Started two standard deviations off, so that a chain that does not move fails.
    const start = {
      invSquaredLengthscales: Float64Array.from([Math.exp(gridMean[0] + 2 * gridSd[0])]),
      kernelScale: Math.exp(gridMean[1] - 2 * gridSd[1]),
      noiseVar: MINIMUM_NOISE,
    };
    const draws = sampleKernelParams(x, y, 1, isCat, true, start, new Rng(7), { draws: 4000 });
    expect(draws).toHaveLength(4000);
    const logs2 = [draws.map((p) => Math.log(p.invSquaredLengthscales[0])), draws.map((p) => Math.log(p.kernelScale))];
    const chainMean = logs2.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const chainSd = logs2.map((v, c) => Math.sqrt(v.reduce((a, b) => a + (b - chainMean[c]) ** 2, 0) / v.length));
    // Within a tenth of a posterior standard deviation (the chain's Monte Carlo error is about
    // sd × sqrt(τ / 4000) with an autocorrelation time τ of a few sweeps).
    for (let c = 0; c < 2; c++) {
      expect(Math.abs(chainMean[c] - gridMean[c])).toBeLessThan(0.1 * gridSd[c]);
      expect(chainSd[c] / gridSd[c]).toBeGreaterThan(0.9);
      expect(chainSd[c] / gridSd[c]).toBeLessThan(1.1);
    }
    // Every draw keeps the noise at its floor (a deterministic objective).
    expect(draws.every((p) => p.noiseVar === MINIMUM_NOISE)).toBe(true);
  });

  it('are the same for the same seed and move away from the start', () => {
    const { x, y } = toyData();
    const start = { invSquaredLengthscales: Float64Array.from([4]), kernelScale: 1, noiseVar: 0.01 };
    const a = sampleKernelParams(x, y, 1, new Uint8Array(1), false, start, new Rng(3), { draws: 5 });
    const b = sampleKernelParams(x, y, 1, new Uint8Array(1), false, start, new Rng(3), { draws: 5 });
    expect(a).toEqual(b);
    expect(new Set(a.map((p) => p.invSquaredLengthscales[0])).size).toBe(5);
  });
});

describe('IntegratedAcquisition', () => {
  const { x, y } = toyData();
  const isCat = new Uint8Array(1);
  const members = [0.5, 4, 40].map(
    (theta) => new LogEI(new GPRegressor(x, y, 1, isCat, { invSquaredLengthscales: Float64Array.from([theta]), kernelScale: 1, noiseVar: 1e-4 }), Math.max(...y)),
  );
  const integrated = new IntegratedAcquisition(members);

  it('is the log of the members’ mean EI, with its gradient', () => {
    for (const point of [0.02, 0.33, 0.61, 0.97]) {
      const eis = members.map((m) => Math.exp(m.value([point])));
      expect(integrated.value([point])).toBeCloseTo(Math.log((eis[0] + eis[1] + eis[2]) / 3), 10);
      const grad = new Float64Array(1);
      const value = integrated.valueAndGradient([point], grad);
      expect(value).toBeCloseTo(integrated.value([point]), 12);
      const h = 1e-6;
      const fd = (integrated.value([point + h]) - integrated.value([point - h])) / (2 * h);
      expect(Math.abs(grad[0] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('gives the same numbers in batches', () => {
    const points = Float64Array.from([0.02, 0.33, 0.61, 0.97, 0.5]);
    const values = new Float64Array(5);
    const batch = new Float64Array(5);
    const grads = new Float64Array(5);
    integrated.values(points, 5, values);
    integrated.valuesAndGradients(points, 5, batch, grads);
    points.forEach((p, i) => {
      const g = new Float64Array(1);
      expect(values[i]).toBeCloseTo(integrated.value([p]), 12);
      expect(batch[i]).toBeCloseTo(integrated.valueAndGradient([p], g), 12);
      expect(grads[i]).toBeCloseTo(g[0], 10);
    });
  });
});

describe('GPSampler hyperparameterDraws', () => {
  const objective = (t: { suggestFloat(n: string, a: number, b: number): number }): number => {
    const a = t.suggestFloat('a', -2, 2);
    const b = t.suggestFloat('b', 0, 1);
    return (a - 0.7) ** 2 + Math.sin(5 * b);
  };
  const run = async (options: ConstructorParameters<typeof GPSampler>[0]): Promise<unknown[]> => {
    const study = createStudy({ sampler: new GPSampler({ seed: 11, ...options }), direction: 'minimize' });
    await study.optimize(objective, { nTrials: 16 });
    return study.trials.map((t) => t.params);
  };

  it('0 is the MAP fit alone: the default proposals', async () => {
    const a = await run({ hyperparameterDraws: 0 });
    expect(a).toHaveLength(16);
    expect(a).toEqual(await run({}));
  });

  it('with draws, proposes valid parameters, the same for the same seed, not the MAP fit’s', async () => {
    const a = await run({ hyperparameterDraws: 3 });
    expect(a).toHaveLength(16);
    expect(a).toEqual(await run({ hyperparameterDraws: 3 }));
    for (const p of a as { a: number; b: number }[]) {
      expect(p.a).toBeGreaterThanOrEqual(-2);
      expect(p.a).toBeLessThanOrEqual(2);
      expect(p.b).toBeGreaterThanOrEqual(0);
      expect(p.b).toBeLessThanOrEqual(1);
    }
    expect(a.slice(10)).not.toEqual((await run({})).slice(10));
  });

  it('is a CLI option of the registry entry, checked as the constructor checks it', () => {
    expect(registryEntry.options.hyperparameterDraws.type).toBe('integer');
    expect(registryEntry.create({ seed: 1, hyperparameterDraws: 2 }, {}).name).toBe('gp');
    expect(() => registryEntry.create({ hyperparameterDraws: -2 }, {})).toThrow(/hyperparameterDraws/);
  });

  it('rejects a bad count with a UsageError naming the option', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new GPSampler({ hyperparameterDraws: bad })).toThrow(UsageError);
      expect(() => new GPSampler({ hyperparameterDraws: bad })).toThrow(/hyperparameterDraws/);
    }
  });
});
