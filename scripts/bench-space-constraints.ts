/**
 * Constraints before evaluation (src/space-constraints.ts): how many redraws each sampler needs on
 * a constrained space, how often the study falls back to uniform redraws (past SAMPLER_REDRAWS),
 * the best value reached, and the time per trial outside the objective against the same sampler
 * on the same space without constraints (same run).
 *
 *   npx tsx scripts/bench-space-constraints.ts [trials=100] [seeds=3] [samplers=all] [cases=half-box]
 *
 * `samplers` and `cases` are comma-separated names from the lists below, or `all`.
 *
 * Cases (each objective is minimised):
 * - half-box: x, y in [0, 1], kind in {a, b}, z in 0..10 only when kind = b; constraints x <= y
 *   and z <= 4 (about half the box invalid). (x - 0.3)^2 + (y - 0.4)^2 + 0.01 z, optimum 0 (valid).
 * - boundary: x, y in [0, 1] with x <= y; (x - 0.6)^2 + (y - 0.5)^2, whose free optimum breaks
 *   the constraint: the optimum 0.005 lies on the boundary x = y = 0.55.
 * - ib: the IB study's declared space (studies/ib/objective.ts ibSpace, expanded grid, GER40
 *   windows: 11 parameters, two conditional, TSL_SL <= TSL_TARGET) with a synthetic objective
 *   (no backtest) whose optimum, 0, has TSL_SL = TSL_TARGET = 1.25, on the boundary.
 */
import { type Distribution, type ParamValue, categoricalDistribution, floatDistribution, intDistribution } from '../src/distributions.js';
import type { Sampler } from '../src/sampler.js';
import type { DeclaredSpace } from '../src/search-space.js';
import { REDRAW_KEY, SAMPLER_REDRAWS, buildPoint, declareSpace } from '../src/space-constraints.js';
import { createStudy } from '../src/study.js';
import { type Trial, suggestFrom } from '../src/trial.js';
import { RandomSampler } from '../samplers/random.js';
import { TPESampler } from '../samplers/tpe/index.js';
import { GPSampler } from '../samplers/gp/index.js';
import { CmaEsSampler } from '../samplers/cmaes/index.js';
import { DESampler } from '../samplers/de/index.js';
import { QMCSampler } from '../samplers/qmc/index.js';
import { ibSpace } from '../studies/ib/objective.js';
import { GRID_VALUES } from '../studies/ib/grids.js';
import { BUILTIN_SYMBOLS } from '../studies/ib/symbols.js';

const trials = Number(process.argv[2] ?? 100);
const seeds = Number(process.argv[3] ?? 3);
const samplerFilter = process.argv[4] ?? 'all';
const caseFilter = process.argv[5] ?? 'half-box';

interface Case {
  name: string;
  constrained: DeclaredSpace;
  /** The same parameters without the constraints. */
  plain: DeclaredSpace;
  score: (p: Readonly<Record<string, ParamValue>>) => number;
}

/** A plain copy of a declared space: the same parameters, no constraints (they live under a symbol key). */
const withoutConstraints = (space: DeclaredSpace): DeclaredSpace => Object.fromEntries(Object.entries(space));

const halfBoxPlain: DeclaredSpace = {
  x: floatDistribution(0, 1),
  y: floatDistribution(0, 1),
  kind: categoricalDistribution(['a', 'b']),
  z: { distribution: intDistribution(0, 10), when: (p) => p.kind === 'b' },
};
const boundaryPlain: DeclaredSpace = { x: floatDistribution(0, 1), y: floatDistribution(0, 1) };
const ib = GRID_VALUES.expanded;
const ibDeclared = ibSpace(BUILTIN_SYMBOLS.GER40.ibWindows, ib);
/** Squared distance between the indices of `value` and `best` in `values`, over the list's span. */
const offBy = (values: readonly ParamValue[], value: ParamValue, best: ParamValue): number => ((values.indexOf(value) - values.indexOf(best)) / (values.length - 1)) ** 2;

const cases: Case[] = [
  {
    name: 'half-box',
    plain: halfBoxPlain,
    constrained: declareSpace(halfBoxPlain).constrain(
      (p) => (p.x as number) <= (p.y as number),
      (p) => p.z === undefined || (p.z as number) <= 4,
    ),
    score: (p) => ((p.x as number) - 0.3) ** 2 + ((p.y as number) - 0.4) ** 2 + 0.01 * ((p.z as number | undefined) ?? 0),
  },
  {
    name: 'boundary',
    plain: boundaryPlain,
    constrained: declareSpace(boundaryPlain).constrain((p) => (p.x as number) <= (p.y as number)),
    score: (p) => ((p.x as number) - 0.6) ** 2 + ((p.y as number) - 0.5) ** 2,
  },
  {
    name: 'ib',
    plain: withoutConstraints(ibDeclared),
    constrained: ibDeclared,
    score: (p) =>
      (p.IB_WINDOW === '08:00-09:00' ? 0 : 0.1) +
      offBy(ib.IB_WAIT_MINUTES, p.IB_WAIT_MINUTES, 10) +
      offBy(ib.TRADE_WINDOW_MINUTES, p.TRADE_WINDOW_MINUTES, 120) +
      offBy(ib.RR_TARGET, p.RR_TARGET, 1.25) +
      (p.STOP_MODE === 'eq' ? 0 : 0.1) +
      offBy(ib.TSL_TARGET, p.TSL_TARGET, 1.25) +
      // The trailing step would rather be wider than any target: held at TSL_SL <= TSL_TARGET.
      (p.TSL_SL === undefined ? 0.5 : ((p.TSL_SL as number) - 1.25) ** 2 + 0.5 * Math.max(0, (p.TSL_SL as number) - 1.25)) +
      (p.REV_RB_ENABLED === false ? 0 : 0.05) +
      offBy(ib.IB_BUFFER_PCT, p.IB_BUFFER_PCT, 0.1) +
      offBy(ib.MAX_DISTANCE_PCT, p.MAX_DISTANCE_PCT, 1),
  },
];

const samplers: [string, (seed: number) => Sampler][] = [
  ['random', (seed) => new RandomSampler({ seed })],
  ['tpe', (seed) => new TPESampler({ seed })],
  ['tpe multivariate', (seed) => new TPESampler({ seed, multivariate: true })],
  ['gp', (seed) => new GPSampler({ seed })],
  ['cmaes', (seed) => new CmaEsSampler({ seed })],
  ['de', (seed) => new DESampler({ seed })],
  ['qmc', (seed) => new QMCSampler({ seed })],
];

const picked = <T extends { name: string } | [string, unknown]>(list: T[], filter: string): T[] => {
  if (filter === 'all') return list;
  const names = filter.split(',').map((s) => s.trim());
  const nameOf = (x: T): string => (Array.isArray(x) ? x[0] : x.name);
  const unknown = names.filter((n) => !list.some((x) => nameOf(x) === n));
  if (unknown.length > 0) throw new Error(`unknown name(s) ${unknown.join(', ')}: choose from ${list.map(nameOf).join(', ')} or all`);
  return list.filter((x) => names.includes(nameOf(x)));
};

/** The objective of a case: the point through `suggest`, in declaration order, scored. */
function objectiveOf(c: Case): (t: Trial) => number {
  return (t) => c.score(buildPoint(c.plain, (name: string, d: Distribution) => suggestFrom(t, name, d)));
}

async function run(make: () => Sampler, space: DeclaredSpace, objective: (t: Trial) => number): Promise<{ ms: number; redraws: number[]; best: number }> {
  const study = createStudy({ sampler: make(), space });
  const t0 = performance.now();
  await study.optimize(objective, { nTrials: trials });
  const ms = performance.now() - t0;
  return { ms, redraws: study.trials.map((t) => (t.systemAttrs[REDRAW_KEY] as number | undefined) ?? 0), best: study.bestValue };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

for (const c of picked(cases, caseFilter)) {
  const objective = objectiveOf(c);
  console.log(`\ncase ${c.name}: ${trials} trials, seeds 1..${seeds}; uniform = trials past ${SAMPLER_REDRAWS} sampler redraws`);
  console.log('sampler            redrawn  uniform  mean redraws  best (median)  ms/trial constrained / unconstrained');
  for (const [name, make] of picked(samplers, samplerFilter)) {
    let redrawn = 0;
    let uniform = 0;
    let total = 0;
    let msC = 0;
    let msU = 0;
    const bests: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const constrained = await run(() => make(seed), c.constrained, objective);
      const unconstrained = await run(() => make(seed), c.plain, objective);
      redrawn += constrained.redraws.filter((r) => r > 0).length;
      uniform += constrained.redraws.filter((r) => r >= SAMPLER_REDRAWS).length;
      total += constrained.redraws.reduce((a, b) => a + b, 0);
      msC += constrained.ms;
      msU += unconstrained.ms;
      bests.push(constrained.best);
    }
    const n = trials * seeds;
    console.log(
      `${name.padEnd(18)} ${`${((100 * redrawn) / n).toFixed(0)}%`.padStart(7)}  ${`${((100 * uniform) / n).toFixed(0)}%`.padStart(7)}  ${(total / n).toFixed(2).padStart(12)}  ${median(bests).toExponential(2).padStart(13)}  ${(msC / n).toFixed(2)} / ${(msU / n).toFixed(2)} (x${(msC / msU).toFixed(2)})`,
    );
  }
}
