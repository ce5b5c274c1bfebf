/**
 * Benchmarks of the Bayesian samplers (TPE, multivariate TPE, GP): quality against Optuna 4.9's
 * figures in ../shared/reference/optuna-results.md, and the cost of `ask`.
 *
 *   npm run build && node dist/scripts/bench-bayesian.js > docs/bench-bayesian.md
 *
 * Progress goes to stderr, the Markdown report to stdout. `--quick` runs fewer seeds and skips the
 * slow cells (a smoke run); `--only tpe` or `--only gp` runs one family; `--first-seed 10` runs seeds
 * 10..19 instead of 0..9.
 *
 * Quality: median best value over seeds 0..9 at budgets 100 and 300 (prefixes of one 300-trial run
 * per seed, as the reference), compared as the ratio of regrets (best - known optimum) to
 * Optuna's median at the same budget: below 1 we are better. The reference prints 4 significant
 * digits, so both regrets are floored at half a unit of its 4th digit.
 *
 * Overhead: wall milliseconds of `study.ask()` plus the suggest calls of one trial (what Optuna's
 * "ask ms" measures), median over windows of trials around 100, 300 and 1,000 finished trials.
 */
import { GPSampler } from '../samplers/gp/index.js';
import { RandomSampler } from '../samplers/random.js';
import { TPESampler } from '../samplers/tpe/index.js';
import type { Sampler } from '../src/sampler.js';
import { createStudy } from '../src/study.js';
import { suggestFrom } from '../src/trial.js';
import { type TestFunction, getTestFunction } from '../studies/functions/index.js';
import { REF_GP, REF_TPE, REF_TPE_MV, type Ref, fmt, regretRatio } from './lib/optuna-reference.js';
import { geometricMean, median, runSamplerOnFunction } from './lib/sampler-bench.js';

const QUICK = process.argv.includes('--quick');
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? process.argv[i + 1] : null;
})();
/** `--first-seed N` shifts the seed set (seeds N..N+9), to tell a real change from the luck of seeds 0..9. */
const FIRST_SEED = (() => {
  const i = process.argv.indexOf('--first-seed');
  return i >= 0 ? Number(process.argv[i + 1]) : 0;
})();
const SEEDS = Array.from({ length: QUICK ? 3 : 10 }, (_, i) => FIRST_SEED + i);
const FUNCTIONS = ['branin', 'hartmann6', 'rosenbrock10', 'styblinski_tang8', 'ackley5', 'rastrigin8', 'mixed'];
/** The GP table adds `mixed_numeric` (no Optuna figures): large-range ints and a numeric categorical. */
const GP_FUNCTIONS = [...FUNCTIONS, 'mixed_numeric'];
const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};
const out: string[] = [];
const print = (line = ''): void => {
  out.push(line);
};

/** Optuna's ask ms on a 10-D float space (optuna-results.md, "ask() overhead"). */
const REF_ASK: Record<string, Record<number, number>> = {
  TPE: { 100: 13.46, 500: 24.16, 1000: 44.36 },
  'TPE-mv': { 100: 3.44, 500: 7.87, 1000: 21.53 },
};

/** Median best-so-far at each budget over seeds, from one run of the largest budget per seed. */
function qualityRuns(make: (seed: number) => Sampler, fn: TestFunction, budgets: number[]): { medians: Record<number, number>; overheadMs: number } {
  const maxBudget = Math.max(...budgets);
  const at: Record<number, number[]> = Object.fromEntries(budgets.map((b) => [b, []]));
  const overhead: number[] = [];
  for (const seed of SEEDS) {
    const run = runSamplerOnFunction(make, fn, maxBudget, seed);
    for (const b of budgets) at[b].push(run.curve[b - 1]);
    overhead.push(run.overheadMsPerTrial);
  }
  return { medians: Object.fromEntries(budgets.map((b) => [b, median(at[b])])), overheadMs: median(overhead) };
}

interface Cell {
  fn: string;
  budget: number;
  ratio: number;
}

function qualityTable(title: string, note: string, make: (seed: number) => Sampler, ref: Ref, budgets: number[], functions: string[]): Cell[] {
  log(`quality: ${title}`);
  print(`### ${title}`);
  print();
  print(note);
  print();
  print(`| function (optimum) | ${budgets.map((b) => `ours @${b} / Optuna @${b} (ratio)`).join(' | ')} | sampler ms/trial |`);
  print(`|---|${budgets.map(() => '---|').join('')}---|`);
  const cells: Cell[] = [];
  for (const name of functions) {
    const fn = getTestFunction(name);
    const started = performance.now();
    const { medians, overheadMs } = qualityRuns(make, fn, budgets);
    const parts = budgets.map((b) => {
      const r = ref[name]?.[b];
      if (r === undefined) return `${fmt(medians[b])} / - `;
      const q = regretRatio(medians[b], r, fn);
      cells.push({ fn: name, budget: b, ratio: q });
      return `${fmt(medians[b])} / ${fmt(r)} (**${q.toFixed(2)}**)`;
    });
    print(`| ${name} (${fmt(fn.optimum)}) | ${parts.join(' | ')} | ${overheadMs.toFixed(2)} |`);
    log(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  print();
  if (cells.length > 0) {
    const gm = geometricMean(cells.map((c) => c.ratio));
    const worst = cells.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    print(`Geometric mean of the regret ratios: **${gm.toFixed(3)}** over ${cells.length} cells; worst cell ${worst.fn} @${worst.budget} at ${worst.ratio.toFixed(2)}.`);
    print();
  }
  return cells;
}

/** Median ask (+ suggest) ms over windows of trials ending at each checkpoint. */
function askTimes(make: () => Sampler, fn: TestFunction, checkpoints: number[], window: number): Record<number, number> {
  const study = createStudy({ sampler: make() });
  const times: number[] = [];
  const last = Math.max(...checkpoints);
  for (let i = 0; i < last; i++) {
    const t0 = performance.now();
    const trial = study.ask();
    const params: Record<string, ReturnType<typeof suggestFrom>> = {};
    for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
    times.push(performance.now() - t0);
    study.tell(trial, fn.evaluate(params));
  }
  return Object.fromEntries(checkpoints.map((c) => [c, median(times.slice(c - window, c))]));
}

/**
 * GP ask ms with `n` finished trials: the history is filled by random search (the GP's cost
 * depends on n, not on where the points are), then the GP asks `reps` times, each told.
 */
function gpAskTime(fn: TestFunction, n: number, reps: number): number {
  const history = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  for (let i = 0; i < n; i++) {
    const trial = history.ask();
    const params: Record<string, ReturnType<typeof suggestFrom>> = {};
    for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
    history.tell(trial, fn.evaluate(params));
  }
  const study = createStudy({ sampler: new GPSampler({ seed: 2 }), storage: history.storage, studyName: history.studyName, loadIfExists: true });
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const trial = study.ask();
    const params: Record<string, ReturnType<typeof suggestFrom>> = {};
    for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
    times.push(performance.now() - t0);
    study.tell(trial, fn.evaluate(params));
  }
  // The first ask fits the hyper-parameters from scratch; later ones warm-start, as in a study.
  return median(times.slice(1));
}

function main(): void {
  const started = performance.now();
  print('# Bayesian samplers: benchmark results');
  print();
  print(
    `Produced by \`npm run build && node dist/scripts/bench-bayesian.js${QUICK ? ' --quick' : ''}${ONLY ? ` --only ${ONLY}` : ''} > docs/bench-bayesian.md\` (Node ${process.version}, ${QUICK ? 'quick run: 3 seeds' : `seeds ${SEEDS[0]}..${SEEDS[SEEDS.length - 1]}`}). Reference: ../shared/reference/optuna-results.md (Optuna 4.9.0; TPE figures over seeds 0..9, GPSampler over 8 seeds). Regret = best value - known optimum; a ratio below 1 means we are better.`,
  );
  print();

  if (ONLY === null || ONLY === 'tpe') {
    print('## TPE quality');
    print();
    qualityTable(
      "TPESampler with Optuna's defaults (`multivariate: false`) vs Optuna TPESampler (defaults)",
      'Our median best over the seeds, budgets 100 and 300 as prefixes of one 300-trial run per seed.',
      (seed) => new TPESampler({ seed, multivariate: false }),
      REF_TPE,
      [100, 300],
      FUNCTIONS,
    );
    qualityTable(
      'TPESampler multivariate vs Optuna TPESampler(multivariate=True)',
      "Ours uses Scott's rule on the observations' spread for the joint bandwidths (`multivariateBandwidth: 'scott'`, the default; see docs/samplers.md).",
      (seed) => new TPESampler({ seed, multivariate: true }),
      REF_TPE_MV,
      [100, 300],
      FUNCTIONS,
    );
    qualityTable(
      "TPESampler multivariate with Optuna's bandwidth (`multivariateBandwidth: 'optuna'`) vs Optuna multivariate",
      "The same algorithm as Optuna's multivariate TPE, for reference.",
      (seed) => new TPESampler({ seed, multivariate: true, multivariateBandwidth: 'optuna' }),
      REF_TPE_MV,
      [100, 300],
      QUICK ? ['branin', 'rosenbrock10'] : FUNCTIONS,
    );
    qualityTable(
      'TPESampler multivariate vs Optuna TPESampler (defaults, independent)',
      'Where variables interact (rosenbrock, branin, hartmann6, the x0-x1 term of mixed), joint kernels should win.',
      (seed) => new TPESampler({ seed, multivariate: true }),
      REF_TPE,
      [100, 300],
      QUICK ? ['branin', 'rosenbrock10'] : FUNCTIONS,
    );
  }

  if (ONLY === null || ONLY === 'gp') {
    print('## GP quality');
    print();
    qualityTable(
      'GPSampler (defaults) vs Optuna GPSampler (defaults)',
      'Budgets 25, 50 and 100 as prefixes of one 100-trial run per seed. Optuna has GP figures for five of the functions; mixed_numeric (studies/functions/mixed.ts) is ours, see docs/bench-gp-mixed.md.',
      (seed) => new GPSampler({ seed }),
      REF_GP,
      [25, 50, 100],
      QUICK ? ['branin', 'hartmann6', 'mixed_numeric'] : GP_FUNCTIONS,
    );
  }

  print('## Overhead');
  print();
  if (ONLY === null || ONLY === 'tpe') {
    log('overhead: TPE');
    const rosen = getTestFunction('rosenbrock10');
    const checkpoints = [100, 300, 500, 1000];
    print('### TPE: ask ms on a 10-D float space (rosenbrock10), by finished trials');
    print();
    print('For each of seeds 0..2 one run of 1,000 trials, the median over trials [n-10, n); then the median over the seeds. Optuna 4.9 on the same space from optuna-results.md (measured at 100, 500 and 1,000).');
    print();
    print('| sampler | @100 | @300 | @500 | @1000 | Optuna @100 / @500 / @1000 | ours / Optuna @1000 |');
    print('|---|---|---|---|---|---|---|');
    for (const [label, make] of [
      ['TPE', () => new TPESampler({ seed: 0, multivariate: false })],
      ['TPE-mv', () => new TPESampler({ seed: 0, multivariate: true })],
    ] as [string, () => Sampler][]) {
      const perSeed = [0, 1, 2].map((s) => askTimes(() => (s === 0 ? make() : new TPESampler({ seed: s, multivariate: label === 'TPE-mv' })), rosen, checkpoints, 10));
      const at = (c: number): number => median(perSeed.map((p) => p[c]));
      const ref = REF_ASK[label];
      print(`| ${label} | ${at(100).toFixed(3)} | ${at(300).toFixed(3)} | ${at(500).toFixed(3)} | **${at(1000).toFixed(3)}** | ${ref[100]} / ${ref[500]} / ${ref[1000]} | ${(at(1000) / ref[1000]).toFixed(3)} |`);
    }
    print();
  }
  if (ONLY === null || ONLY === 'gp') {
    log('overhead: GP');
    const h6 = getTestFunction('hartmann6');
    const sizes = QUICK ? [100, 300] : [100, 300, 1000];
    print('### GP: ask ms with n finished trials, 6 parameters (hartmann6)');
    print();
    print("History filled by random search, then GP asks with told results (median of the warm-started asks). Optuna's GPSampler spends 0.15-0.57 s per trial near 100 trials (optuna-results.md).");
    print();
    print(`| n | ${sizes.join(' | ')} |`);
    print(`|---|${sizes.map(() => '---|').join('')}`);
    print(`| GP ask ms | ${sizes.map((n) => gpAskTime(h6, n, n >= 1000 ? 3 : 6).toFixed(0)).join(' | ')} |`);
    print();
  }
  print(`Total run time ${((performance.now() - started) / 60000).toFixed(1)} min.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
