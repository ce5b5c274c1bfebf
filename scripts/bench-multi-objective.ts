/**
 * Multi-objective benchmark: our NSGA-II, NSGA-III (3-objective problems), multi-objective TPE
 * (TPESampler on a multi-objective study) and random, on the ZDT, DTLZ and mixed problems
 * (studies/functions/multi-objective.ts): median hypervolume over seeds at each budget, and
 * Optuna 5.0's medians (../shared/reference/optuna-mo-results.json) where it has them: ZDT1 and ZDT2
 * at the wide reference point [1.1, 10], DTLZ2 at [1.1, 1.1, 1.1].
 *
 * One run per (problem, sampler, seed) of the largest budget; a smaller budget's hypervolume is
 * that of the first trials of the run (samplers never see the budget), as the reference does.
 *
 *   nice npx tsx scripts/bench-multi-objective.ts [--seeds 10] [--budgets 100,300]
 *     [--problems zdt1,zdt2,dtlz2] [--samplers nsga2,nsga3,tpe,random] [--json out.json]
 *   (also nsga2-random: NSGA-II with Optuna's uniform random generation 0; nsga2-sbx, nsga2-mut2:
 *   SBX crossover, mutation probability 0.2; nsga2-poly: polynomial mutation; nsga2-generational,
 *   nsga3-generational: Optuna's generational breeding instead of our steady-state default;
 *   tpe-multivariate: TPE with multivariate kernels; tpe-mv-ei48, tpe-mv-prior2, tpe-mv-endpoints,
 *   tpe-mv-gamma15, tpe-endpoints, tpe-prior0.25, tpe-prior0.5, tpe-prior2: the settings measured for
 *   the multi-objective default, docs/bench-samplers-wide.md "MO-TPE")
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParamValue } from '../src/distributions.js';
import { hypervolume } from '../src/hypervolume.js';
import type { Sampler } from '../src/sampler.js';
import { createStudy } from '../src/study.js';
import { suggestFrom } from '../src/trial.js';
import { NSGAIISampler, NSGAIIISampler } from '../samplers/nsga/index.js';
import { GPSampler } from '../samplers/gp/index.js';
import { RandomSampler } from '../samplers/random.js';
import { TPESampler } from '../samplers/tpe/index.js';
import { type MultiObjectiveProblem, getMultiObjectiveProblem } from '../studies/functions/multi-objective.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    // The first seed (seeds first-seed .. first-seed + seeds - 1): a slow sampler's seeds in several runs.
    'first-seed': { type: 'string', default: '0' },
    budgets: { type: 'string', default: '100,300' },
    problems: { type: 'string', default: 'zdt1,zdt2,zdt3,zdt4,zdt6,dtlz1,dtlz2,dtlz3,dtlz4,mixed2' },
    samplers: { type: 'string', default: 'nsga2,nsga3,tpe,random' },
    json: { type: 'string' },
  },
});

const SAMPLERS: Record<string, (seed: number) => Sampler> = {
  nsga2: (seed) => new NSGAIISampler({ seed }),
  nsga3: (seed) => new NSGAIIISampler({ seed }),
  // Optuna's first generation (uniform random) and other settings, to measure our defaults against.
  'nsga2-random': (seed) => new NSGAIISampler({ seed, init: 'random' }),
  'nsga2-sbx': (seed) => new NSGAIISampler({ seed, crossover: 'sbx' }),
  'nsga2-mut2': (seed) => new NSGAIISampler({ seed, mutationProb: 0.2 }),
  'nsga2-poly': (seed) => new NSGAIISampler({ seed, mutation: 'polynomial' }),
  'nsga2-generational': (seed) => new NSGAIISampler({ seed, selection: 'generational' }),
  'nsga3-generational': (seed) => new NSGAIIISampler({ seed, selection: 'generational' }),
  tpe: (seed) => new TPESampler({ seed }),
  // Joint kernels over all parameters (Optuna's default for one objective only).
  'tpe-multivariate': (seed) => new TPESampler({ seed, multivariate: true }),
  // Settings measured for the multi-objective default (docs/bench-samplers-wide.md, "MO-TPE").
  'tpe-mv-ei48': (seed) => new TPESampler({ seed, multivariate: true, nEiCandidates: 48 }),
  'tpe-mv-prior2': (seed) => new TPESampler({ seed, multivariate: true, priorWeight: 2 }),
  'tpe-mv-endpoints': (seed) => new TPESampler({ seed, multivariate: true, considerEndpoints: true }),
  'tpe-mv-gamma15': (seed) => new TPESampler({ seed, multivariate: true, gamma: (n) => Math.ceil(0.15 * n) }),
  'tpe-endpoints': (seed) => new TPESampler({ seed, considerEndpoints: true }),
  'tpe-prior0.25': (seed) => new TPESampler({ seed, priorWeight: 0.25 }),
  'tpe-prior0.5': (seed) => new TPESampler({ seed, priorWeight: 0.5 }),
  'tpe-prior2': (seed) => new TPESampler({ seed, priorWeight: 2 }),
  // GP with log EHVI (no Optuna reference figures; not in the default list: seconds per trial).
  gp: (seed) => new GPSampler({ seed }),
  // The GP with Optuna's reference point for the improvement (the worst observed values).
  'gp-observed': (seed) => new GPSampler({ seed, ehviReference: 'observed' }),
  random: (seed) => new RandomSampler({ seed }),
};
/** Our sampler names to the reference's. */
const OPTUNA_NAME: Record<string, string> = { nsga2: 'NSGAII', 'nsga2-random': 'NSGAII', 'nsga2-generational': 'NSGAII', tpe: 'TPE', random: 'Random' };

const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => Number(args['first-seed']) + i);
const budgets = args.budgets!.split(',').map(Number);
const maxBudget = Math.max(...budgets);

/** Objective vectors of one ask/tell run of `budget` trials. */
function run(problem: MultiObjectiveProblem, sampler: Sampler, budget: number): { values: number[][]; seconds: number } {
  const study = createStudy({ sampler, directions: Array.from({ length: problem.nObjectives }, () => 'minimize' as const) });
  const values: number[][] = [];
  const started = performance.now();
  for (let i = 0; i < budget; i++) {
    const trial = study.ask();
    const params: Record<string, ParamValue> = {};
    for (const [name, d] of Object.entries(problem.space)) params[name] = suggestFrom(trial, name, d);
    const v = problem.evaluate(params);
    study.tell(trial, v);
    values.push(v);
  }
  return { values, seconds: (performance.now() - started) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface ReferenceRow {
  problem: string;
  sampler: string;
  budget: number;
  seed: number;
  hypervolume: number;
  hypervolume_wide?: number;
}

function optunaMedian(problem: string, sampler: string, budget: number): number | null {
  const path = new URL('../../shared/reference/optuna-mo-results.json', import.meta.url);
  if (!existsSync(path) || !OPTUNA_NAME[sampler]) return null;
  const rows = (JSON.parse(readFileSync(path, 'utf8')) as { grid: ReferenceRow[] }).grid.filter(
    (r) => r.problem.toLowerCase() === problem && r.sampler === OPTUNA_NAME[sampler] && r.budget === budget,
  );
  if (rows.length === 0) return null;
  // ZDT at the wide reference point [1.1, 10] (ours), DTLZ2 at [1.1, 1.1, 1.1].
  return median(rows.map((r) => (problem.startsWith('zdt') ? r.hypervolume_wide! : r.hypervolume)));
}

interface ResultRow {
  problem: string;
  sampler: string;
  budget: number;
  medianHypervolume: number;
  optunaMedian: number | null;
  optimalHypervolume: number | null;
  medianSeconds: number;
  hypervolumes: number[];
}

const results: ResultRow[] = [];
console.log(`seeds ${seeds.length}, budgets ${budgets.join('/')}`);
console.log('| problem (ref) | sampler | budget | median HV | Optuna median | optimal | ours >= Optuna | s/run |');
console.log('|---|---|---|---|---|---|---|---|');
for (const name of args.problems!.split(',')) {
  const problem = getMultiObjectiveProblem(name);
  for (const samplerName of args.samplers!.split(',')) {
    if (!SAMPLERS[samplerName]) throw new Error(`unknown sampler ${samplerName}: ${Object.keys(SAMPLERS).join(', ')}`);
    if (samplerName.startsWith('nsga3') && problem.nObjectives < 3) continue;
    const perBudget = new Map<number, number[]>(budgets.map((b) => [b, []]));
    const seconds: number[] = [];
    for (const seed of seeds) {
      const r = run(problem, SAMPLERS[samplerName](seed), maxBudget);
      seconds.push(r.seconds);
      for (const b of budgets) perBudget.get(b)!.push(hypervolume(r.values.slice(0, b), problem.referencePoint));
    }
    for (const b of budgets) {
      const hvs = perBudget.get(b)!;
      const row: ResultRow = {
        problem: name,
        sampler: samplerName,
        budget: b,
        medianHypervolume: median(hvs),
        optunaMedian: optunaMedian(name, samplerName, b),
        optimalHypervolume: problem.optimalHypervolume,
        medianSeconds: median(seconds),
        hypervolumes: hvs,
      };
      results.push(row);
      const cmp = row.optunaMedian === null ? '' : row.medianHypervolume >= row.optunaMedian ? 'yes' : 'NO';
      console.log(
        `| ${name} ([${problem.referencePoint.join(', ')}]) | ${samplerName} | ${b} | ${row.medianHypervolume.toFixed(4)} | ${row.optunaMedian?.toFixed(4) ?? ''} | ${row.optimalHypervolume?.toFixed(4) ?? ''} | ${cmp} | ${row.medianSeconds.toFixed(2)} |`,
      );
    }
  }
}
if (args.json) writeFileSync(args.json, JSON.stringify({ seeds, budgets, results }, null, 1));
