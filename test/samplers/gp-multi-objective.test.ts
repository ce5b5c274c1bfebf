import { describe, expect, it } from 'vitest';
import type { ParamValue } from '../../src/distributions.js';
import { floatDistribution } from '../../src/distributions.js';
import { hypervolume } from '../../src/hypervolume.js';
import { Rng } from '../../src/rng.js';
import type { Sampler } from '../../src/sampler.js';
import { declareSpace } from '../../src/space-constraints.js';
import { createStudy } from '../../src/study.js';
import { nonDominatedBoxes } from '../../samplers/gp/box-decomposition.js';
import { LogEHVI, ehviReferencePoint } from '../../samplers/gp/ehvi.js';
import { GPRegressor } from '../../samplers/gp/gp.js';
import { GPSampler } from '../../samplers/gp/index.js';
import { RandomSampler } from '../../samplers/random.js';

/** The boxes as sorted strings "l0,l1,…|u0,u1,…", to compare with hand-computed ones. */
function boxStrings(points: number[][], reference: number[]): string[] {
  const boxes = nonDominatedBoxes(points, reference);
  const m = boxes.m;
  const out: string[] = [];
  for (let b = 0; b < boxes.count; b++) {
    out.push(`${Array.from(boxes.lower.subarray(b * m, b * m + m)).join(',')}|${Array.from(boxes.upper.subarray(b * m, b * m + m)).join(',')}`);
  }
  return out.sort();
}

/** The volume of [ideal, reference] minus the boxes clipped below at `ideal`: the dominated volume. */
function dominatedVolume(points: number[][], reference: number[], ideal: number[]): number {
  const boxes = nonDominatedBoxes(points, reference);
  const m = boxes.m;
  let free = 0;
  for (let b = 0; b < boxes.count; b++) {
    let v = 1;
    for (let k = 0; k < m; k++) v *= Math.max(0, boxes.upper[b * m + k] - Math.max(boxes.lower[b * m + k], ideal[k]));
    free += v;
  }
  return reference.reduce((a, r, k) => a * (r - ideal[k]), 1) - free;
}

describe('nonDominatedBoxes', () => {
  it('cuts the region under a 2-D staircase into its columns, ignoring dominated, repeated and outside points', () => {
    const front = [
      [1, 3],
      [3, 1],
      [2, 2],
      [2.5, 2.5], // dominated by [2, 2]
      [2, 2], // repeated
      [0.5, 5], // not below the reference
    ];
    expect(boxStrings(front, [4, 4])).toEqual(
      ['-Infinity,-Infinity|1,4', '1,-Infinity|2,3', '2,-Infinity|3,2', '3,-Infinity|4,1'].sort(),
    );
  });

  it('gives the hand-computed boxes of 3-D fronts, continuing a box across slabs the next point leaves alone', () => {
    expect(boxStrings([[1, 1, 1]], [2, 2, 2])).toEqual(['-Infinity,-Infinity,-Infinity|2,2,1', '-Infinity,-Infinity,1|1,2,2', '1,-Infinity,1|2,1,2'].sort());
    // (1, 2, 1) then (2, 1, 2): the box left of x = 1 lives through both slabs as one box.
    expect(
      boxStrings(
        [
          [1, 2, 1],
          [2, 1, 2],
        ],
        [3, 3, 3],
      ),
    ).toEqual(
      [
        '-Infinity,-Infinity,-Infinity|3,3,1',
        '1,-Infinity,1|3,2,2',
        '-Infinity,-Infinity,1|1,3,3',
        '1,-Infinity,2|2,2,3',
        '2,-Infinity,2|3,1,3',
      ].sort(),
    );
  });

  it('leaves exactly the hypervolume uncovered, for 2, 3 and 4 objectives (so the boxes are disjoint)', () => {
    const rng = new Rng(11);
    for (const m of [2, 3, 4]) {
      for (let rep = 0; rep < 4; rep++) {
        const points = Array.from({ length: 25 }, () => {
          const v = Array.from({ length: m }, () => rng.random() + 1e-3);
          const norm = Math.hypot(...v);
          return v.map((x) => x / norm + 0.1 * rng.random());
        });
        const reference = new Array<number>(m).fill(1.2);
        const ideal = new Array<number>(m).fill(-0.5);
        expect(dominatedVolume(points, reference, ideal)).toBeCloseTo(hypervolume(points, reference), 10);
      }
    }
    // Boxes in 3-D stay few (linear in the front's size, not quadratic).
    const front = Array.from({ length: 40 }, (_, i) => {
      const a = (i / 39) * (Math.PI / 2);
      return [Math.cos(a) * 0.7, Math.sin(a) * 0.7, 0.3 + 0.01 * ((i * 7) % 13)];
    });
    expect(nonDominatedBoxes(front, [1, 1, 1]).count).toBeLessThan(4 * front.length);
  });

  it('rejects a single objective or an infinite reference point', () => {
    expect(() => nonDominatedBoxes([[1]], [2])).toThrow(/two or more objectives/);
    expect(() => nonDominatedBoxes([[1, 1]], [2, Infinity])).toThrow(/finite/);
  });
});

/** A GP on 1-D inputs with fixed hyper-parameters (length scale 0.2, no fit). */
function gp1d(xs: number[], ys: number[]): GPRegressor {
  return new GPRegressor(Float64Array.from(xs), Float64Array.from(ys), 1, new Uint8Array(1), {
    invSquaredLengthscales: Float64Array.of(25),
    kernelScale: 1,
    noiseVar: 1e-6,
  });
}

describe('LogEHVI', () => {
  // Two objectives (scores to maximise) observed on [0, 0.5]; x = 0.3 is dominated by x = 0.2.
  const xs = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
  const s1 = [1, 0.6, 0.2, -1, -0.5, -1.5];
  const s2 = [-1.5, -0.4, 0.6, -1, 0.8, 1];
  const gps = [gp1d(xs, s1), gp1d(xs, s2)];
  const scores = xs.map((_, i) => [s1[i], s2[i]]);

  it('matches a Monte-Carlo estimate of the expected hypervolume improvement computed with src/hypervolume', () => {
    const acq = new LogEHVI(gps, scores, { seed: 3 });
    const losses = scores.map((r) => r.map((v) => -v));
    const reference = ehviReferencePoint(losses);
    const base = hypervolume(losses, reference);
    const rng = new Rng(5);
    // (Where improvement is a rare event, e.g. x = 0.65, 128 quasi-random samples are coarser.)
    for (const x of [0.8, 0.9, 1]) {
      const [m1, v1] = gps[0].posterior([x]);
      const [m2, v2] = gps[1].posterior([x]);
      let sum = 0;
      const n = 20000;
      for (let i = 0; i < n; i++) {
        const y = [-(m1 + Math.sqrt(v1) * rng.normal()), -(m2 + Math.sqrt(v2) * rng.normal())];
        sum += hypervolume([...losses, y], reference) - base;
      }
      const mc = sum / n;
      expect(mc).toBeGreaterThan(0.05);
      expect(Math.exp(acq.value([x])) / mc).toBeGreaterThan(0.93);
      expect(Math.exp(acq.value([x])) / mc).toBeLessThan(1.07);
    }
  });

  it('puts the reference point at the front\'s nadir plus a tenth of its range (dominated trials ignored)', () => {
    const losses = [
      [0, 2],
      [1, 1],
      [2, 0],
      [3, 3], // dominated: does not move the reference
    ];
    const reference = ehviReferencePoint(losses);
    expect(reference[0]).toBeCloseTo(2.2, 12);
    expect(reference[1]).toBeCloseTo(2.2, 12);
    // One point: a tenth of its magnitude, at least 0.1.
    // Optuna's rule: the worst observed loss r of each objective, max(1.1 r, 0.9 r), a hair above.
    const observed = ehviReferencePoint(losses, 'observed');
    expect(observed[0]).toBeGreaterThan(3.3);
    expect(observed[0]).toBeCloseTo(3.3, 12);
    expect(ehviReferencePoint([[-2, 1]], 'observed')[0]).toBeCloseTo(-1.8, 12);
    expect(() => new GPSampler({ ehviReference: 'worst' as never })).toThrow(/ehviReference.*'front' or 'observed'/);
    // A front of one point (it dominates the rest): Optuna's rule, from all the trials.
    const single = ehviReferencePoint([
      [-3, 0],
      [-1, 2],
    ]);
    expect(single[0]).toBeCloseTo(-0.9, 12);
    expect(single[1]).toBeCloseTo(2.2, 12);
  });

  it('is near zero far inside the dominated region and larger where the front can be improved', () => {
    const acq = new LogEHVI(gps, scores, { seed: 3 });
    const dominated = acq.value([0.3]); // observed, dominated, no uncertainty left
    const onFront = acq.value([0.2]); // observed on the front: nothing to gain either
    const unexplored = acq.value([0.9]);
    expect(Math.exp(dominated)).toBeLessThan(1e-9);
    expect(Math.exp(onFront)).toBeLessThan(1e-3);
    expect(unexplored).toBeGreaterThan(Math.log(0.05));
    expect(unexplored).toBeGreaterThan(onFront + 5);
    expect(dominated).toBeLessThan(onFront - 15);
  });

  it('has the gradient of its value (finite differences)', () => {
    const acq = new LogEHVI(gps, scores, { seed: 7 });
    const grad = new Float64Array(1);
    for (const x of [0.55, 0.7, 0.85]) {
      const v = acq.valueAndGradient([x], grad);
      expect(v).toBeCloseTo(acq.value([x]), 12);
      const h = 1e-6;
      const fd = (acq.value([x + h]) - acq.value([x - h])) / (2 * h);
      expect(grad[0]).toBeCloseTo(fd, 4);
    }
  });
});

/** ZDT1 on three variables: f1 = x0, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 mean(x1, x2). */
function zdt1(x: number[]): [number, number] {
  const g = 1 + (9 * (x[1] + x[2])) / 2;
  return [x[0], g * (1 - Math.sqrt(x[0] / g))];
}

function runZdt1(sampler: Sampler, nTrials: number): number[][] {
  const study = createStudy({ sampler, directions: ['minimize', 'minimize'] });
  const values: number[][] = [];
  for (let i = 0; i < nTrials; i++) {
    const t = study.ask();
    const x = [0, 1, 2].map((k) => t.suggestFloat(`x${k}`, 0, 1));
    const v = zdt1(x);
    study.tell(t, v);
    values.push(v);
  }
  return values;
}

describe('GPSampler on several objectives', () => {
  it('reaches a larger hypervolume than random search on ZDT1 (3 variables, 40 trials, fixed seeds)', () => {
    for (const seed of [0, 1]) {
      const gp = hypervolume(runZdt1(new GPSampler({ seed }), 40), [1.1, 10]);
      const random = hypervolume(runZdt1(new RandomSampler({ seed }), 40), [1.1, 10]);
      expect(gp).toBeGreaterThan(random + 0.3);
    }
  });

  it('keeps to the space constraints and moves away from infeasible trials (constraints after evaluation)', () => {
    // Before evaluation: x0 + x1 <= 1, every proposal valid.
    const space = declareSpace({ x0: floatDistribution(0, 1), x1: floatDistribution(0, 1), x2: floatDistribution(0, 1) }).constrain(
      (p) => (p.x0 as number) + (p.x1 as number) <= 1,
    );
    const constrained = createStudy({ space, sampler: new GPSampler({ seed: 2 }), directions: ['minimize', 'minimize'] });
    for (let i = 0; i < 25; i++) {
      const t = constrained.ask();
      const x = [0, 1, 2].map((k) => t.suggestFloat(`x${k}`, 0, 1));
      constrained.tell(t, zdt1(x));
    }
    for (const t of constrained.trials) expect((t.params.x0 as number) + (t.params.x1 as number)).toBeLessThanOrEqual(1);

    // After evaluation: f1 >= 0.5 required; the search learns to stay there.
    const study = createStudy({ sampler: new GPSampler({ seed: 3 }), directions: ['minimize', 'minimize'], constraints: (t) => [0.5 - (t.params.x0 as number)] });
    for (let i = 0; i < 35; i++) {
      const t = study.ask();
      const params: Record<string, ParamValue> = {};
      const x = [0, 1, 2].map((k) => (params[`x${k}`] = t.suggestFloat(`x${k}`, 0, 1)) as number);
      study.tell(t, zdt1(x));
    }
    const late = study.trials.slice(20);
    const feasible = late.filter((t) => (t.params.x0 as number) >= 0.5).length;
    expect(feasible).toBeGreaterThanOrEqual(12);
  });
});
