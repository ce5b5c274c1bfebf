/**
 * Constraints before evaluation (src/space-constraints.ts): how many redraws each sampler needs on
 * a space where about half the box breaks the constraints, how often the study falls back to
 * uniform redraws (past SAMPLER_REDRAWS), the best value reached, and the time per trial outside
 * the objective against the same sampler on the same space without constraints (same run).
 *
 *   npx tsx scripts/bench-space-constraints.ts [trials=100] [seeds=3]
 *
 * Space: x, y in [0, 1], kind in {a, b}, z in 0..10 only when kind = b; constraints x <= y and
 * z <= 4. Objective (x - 0.3)^2 + (y - 0.4)^2 + 0.01 z, optimum 0 (valid).
 */
import { categoricalDistribution, floatDistribution, intDistribution } from '../src/distributions.js';
import type { Sampler } from '../src/sampler.js';
import type { DeclaredSpace } from '../src/search-space.js';
import { REDRAW_KEY, SAMPLER_REDRAWS, declareSpace } from '../src/space-constraints.js';
import { createStudy } from '../src/study.js';
import type { Trial } from '../src/trial.js';
import { RandomSampler } from '../samplers/random.js';
import { TPESampler } from '../samplers/tpe/index.js';
import { GPSampler } from '../samplers/gp/index.js';
import { CmaEsSampler } from '../samplers/cmaes/index.js';
import { DESampler } from '../samplers/de/index.js';
import { QMCSampler } from '../samplers/qmc/index.js';

const trials = Number(process.argv[2] ?? 100);
const seeds = Number(process.argv[3] ?? 3);

const plain = {
  x: floatDistribution(0, 1),
  y: floatDistribution(0, 1),
  kind: categoricalDistribution(['a', 'b']),
  z: { distribution: intDistribution(0, 10), when: (p: Readonly<Record<string, unknown>>) => p.kind === 'b' },
};
const constrained = declareSpace(plain).constrain(
  (p) => p.x <= p.y,
  (p) => p.z === undefined || p.z <= 4,
);

function objective(t: Trial): number {
  const x = t.suggestFloat('x', 0, 1);
  const y = t.suggestFloat('y', 0, 1);
  const kind = t.suggestCategorical('kind', ['a', 'b']);
  const z = kind === 'b' ? t.suggestInt('z', 0, 10) : 0;
  return (x - 0.3) ** 2 + (y - 0.4) ** 2 + 0.01 * z;
}

const samplers: [string, (seed: number) => Sampler][] = [
  ['random', (seed) => new RandomSampler({ seed })],
  ['tpe', (seed) => new TPESampler({ seed })],
  ['tpe multivariate', (seed) => new TPESampler({ seed, multivariate: true })],
  ['gp', (seed) => new GPSampler({ seed })],
  ['cmaes', (seed) => new CmaEsSampler({ seed })],
  ['de', (seed) => new DESampler({ seed })],
  ['qmc', (seed) => new QMCSampler({ seed })],
];

async function run(make: () => Sampler, space: DeclaredSpace): Promise<{ ms: number; redraws: number[]; best: number }> {
  const study = createStudy({ sampler: make(), space });
  const t0 = performance.now();
  await study.optimize(objective, { nTrials: trials });
  const ms = performance.now() - t0;
  return { ms, redraws: study.trials.map((t) => (t.systemAttrs[REDRAW_KEY] as number | undefined) ?? 0), best: study.bestValue };
}

console.log(`${trials} trials, seeds 1..${seeds}; uniform = trials past ${SAMPLER_REDRAWS} sampler redraws`);
console.log('sampler            redrawn  uniform  mean redraws  best (median)  ms/trial constrained / unconstrained');
for (const [name, make] of samplers) {
  let redrawn = 0;
  let uniform = 0;
  let total = 0;
  let msC = 0;
  let msU = 0;
  const bests: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const c = await run(() => make(seed), constrained);
    const u = await run(() => make(seed), plain);
    redrawn += c.redraws.filter((r) => r > 0).length;
    uniform += c.redraws.filter((r) => r >= SAMPLER_REDRAWS).length;
    total += c.redraws.reduce((a, b) => a + b, 0);
    msC += c.ms;
    msU += u.ms;
    bests.push(c.best);
  }
  bests.sort((a, b) => a - b);
  const n = trials * seeds;
  console.log(
    `${name.padEnd(18)} ${`${((100 * redrawn) / n).toFixed(0)}%`.padStart(7)}  ${`${((100 * uniform) / n).toFixed(0)}%`.padStart(7)}  ${(total / n).toFixed(2).padStart(12)}  ${bests[Math.floor(bests.length / 2)].toExponential(2).padStart(13)}  ${(msC / n).toFixed(2)} / ${(msU / n).toFixed(2)} (x${(msC / msU).toFixed(2)})`,
  );
}
