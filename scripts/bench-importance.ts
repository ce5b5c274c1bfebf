/**
 * Parameter-importance benchmark: how long fANOVA (src/importance/) takes on a study of n
 * finished trials, against PED-ANOVA on the same trials in the same run. Build first
 * (`npm run build`), then:
 *
 *   nice node dist/scripts/bench-importance.js [--trials 1000,10000] [--params 10] [--repeats 5] [--seed 0]
 *
 * The trials are synthetic, drawn uniformly from a mixed space of `--params` parameters (floats,
 * one log-scaled float, one int, one categorical of 4 choices), with an objective in which x0
 * dominates, x1 and the categorical matter a little and the others not at all, plus noise. Each
 * figure is the median over `--repeats` runs, in wall time (and, for fANOVA as a whole, the
 * process's CPU time, all threads together, steadier on a loaded machine); fANOVA is timed as a
 * whole (64-tree forest fit and variance decomposition, Optuna's defaults, with the forest's
 * default threads: this one and pooled worker threads, one per core, from 400 trials or so, each
 * tree measured where it grew) and in its parts: the forest fit on one thread and on the default
 * threads, and the decomposition of the fitted trees on one thread. "first call" is the first
 * fANOVA of the process at that size (untimed below): at the first size it starts the worker pool
 * and compiles the code, as a one-off `studyopt importance` does. The output ends with the
 * importances found at the largest size, as a check that the timed work is the real one.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { type Distribution, categoricalDistribution, floatDistribution, intDistribution } from '../src/distributions.js';
import { FanovaEvaluator } from '../src/importance/fanova-evaluator.js';
import { fanovaFractions } from '../src/importance/fanova.js';
import type { Observation } from '../src/importance/observations.js';
import { PedAnovaEvaluator } from '../src/importance/ped-anova.js';
import { fitRandomForest } from '../src/importance/random-forest.js';
import { Rng } from '../src/rng.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000,10000' },
    params: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '0' },
  },
});
const sizes = values.trials.split(',').map(Number);
const nParams = Number(values.params);
const repeats = Number(values.repeats);
const seed = Number(values.seed);
if (!(nParams >= 4)) throw new Error('--params must be at least 4 (x0, x1, a log float, an int, a categorical)');

function space(): Record<string, Distribution> {
  const d: Record<string, Distribution> = {};
  for (let i = 0; i < nParams - 3; i++) d[`x${i}`] = floatDistribution(0, 1);
  d.lr = floatDistribution(1e-5, 1, { log: true });
  d.n = intDistribution(1, 50);
  d.kind = categoricalDistribution(['a', 'b', 'c', 'd']);
  return d;
}

function trials(n: number, rng: Rng): Observation[] {
  const out: Observation[] = [];
  for (let t = 0; t < n; t++) {
    const params: Record<string, number> = {};
    for (let i = 0; i < nParams - 3; i++) params[`x${i}`] = rng.random();
    params.lr = Math.exp(rng.uniform(Math.log(1e-5), 0));
    params.n = rng.int(1, 50);
    params.kind = rng.int(0, 3);
    const value = 10 * params.x0 + 2 * Math.sin(6 * params.x1) + (params.kind === 2 ? 1 : 0) + 0.3 * rng.normal();
    out.push({ value, params });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time in ms; the process's CPU time of the same call goes to `cpu` (a fairer figure on a shared, loaded machine). */
function time(f: () => void, cpu?: number[]): number {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  cpu?.push((c.user + c.system) / 1000);
  return wall;
}

const distributions = space();
console.log(`node ${process.version}; ${nParams} parameters; ${availableParallelism()} cores; median of ${repeats} runs; times in ms`);
console.log(['trials', 'first call', 'fANOVA', 'fANOVA CPU', 'fit 1 thread', 'fit 1 thread CPU', 'fit threads', 'decomposition', 'PED-ANOVA', 'fANOVA / PED-ANOVA'].join('\t'));
let last: { name: string; importance: number }[] = [];
for (const n of sizes) {
  const observations = trials(n, new Rng(seed));
  const input = { observations, distributions, direction: 'minimize' as const };
  const fanova = new FanovaEvaluator({ seed });
  const pedAnova = new PedAnovaEvaluator();
  const first = time(() => fanova.evaluate(input)); // also the warm-up: the JIT compiles the hot loops, the pool starts
  const whole: number[] = [];
  const wholeCpu: number[] = [];
  const fit: number[] = [];
  const fitCpu: number[] = [];
  const fitThreads: number[] = [];
  const decompose: number[] = [];
  const ped: number[] = [];
  // The parts, on the same columns the evaluator builds (every parameter numeric here but kind).
  const names = Object.keys(distributions);
  const columns = names.map((k) => Float64Array.from(observations, (o) => (k === 'lr' ? Math.log(o.params[k]) : o.params[k])));
  const features = names.map((k) => (k === 'kind' ? { kind: 'categorical' as const, categories: 4 } : { kind: 'numeric' as const }));
  const domains = names.map((k) =>
    k === 'kind' ? { kind: 'categorical' as const, categories: 4 } : k === 'lr' ? { kind: 'numeric' as const, low: Math.log(1e-5), high: 0 } : k === 'n' ? { kind: 'numeric' as const, low: 0.5, high: 50.5 } : { kind: 'numeric' as const, low: 0, high: 1 },
  );
  const y = Float64Array.from(observations, (o) => o.value);
  for (let r = 0; r < repeats; r++) {
    whole.push(time(() => (last = fanova.evaluate(input)), wholeCpu));
    let trees: ReturnType<typeof fitRandomForest> = [];
    fit.push(time(() => (trees = fitRandomForest({ columns, features, y }, { seed, threads: 1 })), fitCpu));
    fitThreads.push(time(() => fitRandomForest({ columns, features, y }, { seed })));
    decompose.push(time(() => fanovaFractions(trees, domains)));
    ped.push(time(() => pedAnova.evaluate(input)));
  }
  const row = [n, first, median(whole), median(wholeCpu), median(fit), median(fitCpu), median(fitThreads), median(decompose), median(ped)];
  console.log([...row.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))), (median(whole) / median(ped)).toFixed(1)].join('\t'));
}
console.log(`importances at ${sizes[sizes.length - 1]} trials: ${last.map((p) => `${p.name} ${(100 * p.importance).toFixed(1)}%`).join(', ')}`);
