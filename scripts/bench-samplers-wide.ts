/**
 * The wide sampler benchmark (issue 18, item 4): every registered sampler (read from the
 * registry at run time, so `auto` joins once it is registered) on the public test functions and
 * on wider ones (20-D and 50-D, a conditional space, noisy objectives), at 100 and 300 trials,
 * and on the IB expanded space at 300 trials.
 *
 *   nice npx tsx scripts/bench-samplers-wide.ts [--samplers random,tpe,...] [--functions branin,levy20,...]
 *       [--seeds 5] [--first-seed 0] [--budgets 100,300] [--cap gp=100] [--ib] [--ib-only] [--ib-seeds 5]
 *       [--ib-budget 300] [--tpe-variants] > docs/bench-samplers-wide.md
 *
 * Progress goes to stderr, the Markdown report to stdout.
 *
 * Quality: per function and budget, the median over seeds of the regret (best value minus the
 * known optimum; on a noisy function, the noiseless value of the trial that is best by its noisy
 * value), as prefixes of one run per seed. Each cell's ratio is to Optuna's default TPE
 * (`TPESampler(seed)`, ../shared/reference/optuna-results.md, via scripts/lib/optuna-reference.ts)
 * where the reference has the function, and elsewhere to our TPE with Optuna's defaults
 * (`tpe-optuna`, run here): below 1 the sampler is better. Per sampler, the geometric mean of
 * its ratios and its worst cell; samplers Optuna also has are compared with Optuna's same sampler.
 *
 * `--samplers` takes registered names (`studyopt samplers`) and the TPE variants of
 * TPE_VARIANTS below; `--tpe-variants` runs all of these (the table behind TPE's defaults).
 * `--cap gp=100` stops a slow sampler's runs at that budget (its larger cells are left out).
 * `--ib` adds the IB expanded space on GER40 (the built-in data): the median over seeds of the
 * best feasible Sharpe ratio at `--ib-budget` trials, for the same samplers and the grid sampler.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { TPESampler, type TPESamplerOptions } from '../samplers/tpe/index.js';
import { createSampler, samplerNames } from '../samplers/index.js';
import type { Sampler } from '../src/sampler.js';
import { type BenchObjective, type EvalClock, ibSpec, loadBenchObjective } from '../src/apps/bench/objectives.js';
import { isFeasible } from '../src/frozen-trial.js';
import { createStudy } from '../src/study.js';
import { type TestFunction, getTestFunction, isNoisy } from '../studies/functions/index.js';
import { REF_CMAES, REF_DE, REF_GP, REF_QMC, REF_RANDOM, REF_TPE, REF_TPE_MV, type Ref, fmt, regretRatio } from './lib/optuna-reference.js';
import { geometricMean, median, runObjectiveOnFunction } from './lib/sampler-bench.js';

/** The public functions (Optuna has figures for all but mixed_numeric) and the wider ones. */
const PUBLIC_FUNCTIONS = ['branin', 'hartmann6', 'rosenbrock10', 'styblinski_tang8', 'ackley5', 'rastrigin8', 'mixed'];
const WIDE_FUNCTIONS = ['mixed_numeric', 'levy20', 'griewank20', 'zakharov20', 'levy50', 'conditional', 'noisy_hartmann6', 'noisy_mixed', 'noisy_styblinski_tang8'];
/** Our TPE with Optuna's defaults: the baseline where the reference has no figure. */
const BASELINE = 'tpe-optuna';

/** TPE settings compared to choose TPE's defaults; each states every option it departs from Optuna's on. */
const TPE_VARIANTS: Record<string, TPESamplerOptions> = {
  [BASELINE]: { multivariate: false },
  'tpe-mv': { multivariate: true },
  'tpe-mv-group': { multivariate: true, group: true },
  'tpe-mv-optuna-bw': { multivariate: true, multivariateBandwidth: 'optuna' },
  'tpe-mv-endpoints': { multivariate: true, considerEndpoints: true },
  'tpe-mv-prior0.5': { multivariate: true, priorWeight: 0.5 },
  'tpe-mv-prior2': { multivariate: true, priorWeight: 2 },
  'tpe-mv-startup5': { multivariate: true, nStartupTrials: 5 },
  'tpe-mv-startup20': { multivariate: true, nStartupTrials: 20 },
  'tpe-mv-ei12': { multivariate: true, nEiCandidates: 12 },
  'tpe-mv-ei48': { multivariate: true, nEiCandidates: 48 },
  'tpe-mv-ei96': { multivariate: true, nEiCandidates: 96 },
};

/** Optuna's figures for the same sampler, by our label (`tpe`: TPE's default, multivariate on one objective). */
const SAME_SAMPLER_REF: Record<string, Ref> = { random: REF_RANDOM, tpe: REF_TPE_MV, [BASELINE]: REF_TPE, 'tpe-mv': REF_TPE_MV, cmaes: REF_CMAES, de: REF_DE, qmc: REF_QMC, gp: REF_GP };

const { values: flags } = parseArgs({
  options: {
    samplers: { type: 'string' },
    functions: { type: 'string' },
    seeds: { type: 'string', default: '5' },
    'first-seed': { type: 'string', default: '0' },
    budgets: { type: 'string', default: '100,300' },
    cap: { type: 'string', default: '' },
    ib: { type: 'boolean', default: false },
    'ib-only': { type: 'boolean', default: false },
    'ib-seeds': { type: 'string', default: '5' },
    'ib-budget': { type: 'string', default: '300' },
    'tpe-variants': { type: 'boolean', default: false },
  },
});

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
const positiveInts = (s: string, flag: string): number[] => {
  const xs = list(s).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`${flag} must list positive integers, but got '${s}'`);
  return xs;
};

const BUDGETS = positiveInts(flags.budgets, '--budgets').sort((a, b) => a - b);
const SEEDS = Array.from({ length: positiveInts(flags.seeds, '--seeds')[0] }, (_, i) => Number(flags['first-seed']) + i);
const CAPS: Record<string, number> = Object.fromEntries(
  list(flags.cap).map((kv) => {
    const [name, budget] = kv.split('=');
    return [name, positiveInts(budget ?? '', `--cap ${name}`)[0]];
  }),
);
/** Every registered sampler but grid (a test function declares no grid), then the baseline. */
const REGISTERED = samplerNames().filter((n) => n !== 'grid');
const SAMPLERS = flags.samplers ? list(flags.samplers) : flags['tpe-variants'] ? Object.keys(TPE_VARIANTS) : [...REGISTERED, BASELINE];
if (!SAMPLERS.includes(BASELINE)) SAMPLERS.push(BASELINE);
const FUNCTIONS = flags.functions ? list(flags.functions) : [...PUBLIC_FUNCTIONS, ...WIDE_FUNCTIONS];

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};
const out: string[] = [];
const print = (line = ''): void => {
  out.push(line);
};

function makerOf(label: string): (seed: number) => Sampler {
  const variant = TPE_VARIANTS[label];
  if (variant) return (seed) => new TPESampler({ ...variant, seed });
  if (!samplerNames().includes(label)) throw new Error(`--samplers: '${label}' is neither a registered sampler (${samplerNames().join(', ')}) nor a TPE variant (${Object.keys(TPE_VARIANTS).join(', ')})`);
  return (seed) => createSampler(label, { seed });
}

/** Median regret per budget over seeds, and the median wall seconds of a run. */
interface CellRuns {
  readonly regret: Record<number, number>;
  readonly wallSeconds: number;
}

function runCells(label: string, fn: TestFunction): CellRuns | string {
  const budgets = BUDGETS.filter((b) => b <= (CAPS[label] ?? Infinity));
  if (budgets.length === 0) return 'capped';
  const make = makerOf(label);
  const at: Record<number, number[]> = Object.fromEntries(budgets.map((b) => [b, []]));
  const walls: number[] = [];
  for (const seed of SEEDS) {
    const f = isNoisy(fn) ? fn.withNoiseSeed(seed) : fn;
    try {
      const run = runObjectiveOnFunction(make, f, budgets[budgets.length - 1], seed);
      for (const b of budgets) at[b].push(Math.max(0, run.curve[b - 1] - fn.optimum));
      walls.push(run.wallSeconds);
    } catch (err) {
      return `fails: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return { regret: Object.fromEntries(budgets.map((b) => [b, median(at[b])])), wallSeconds: median(walls) };
}

interface Ratio {
  readonly fn: string;
  readonly budget: number;
  readonly ratio: number;
  readonly public: boolean;
}

/** Ratio to Optuna's default TPE where the reference has the cell, else to our baseline's median regret. */
function headlineRatio(fn: TestFunction, budget: number, regret: number, baseline: CellRuns | string | undefined): { ratio: number; against: 'optuna' | 'ours' } | null {
  const ref = REF_TPE[fn.name]?.[budget];
  if (ref !== undefined) return { ratio: regretRatio(fn.optimum + regret, ref, fn), against: 'optuna' };
  if (baseline === undefined || typeof baseline === 'string' || baseline.regret[budget] === undefined) return null;
  const floor = 1e-9 * Math.max(1, Math.abs(fn.optimum));
  return { ratio: Math.max(regret, floor) / Math.max(baseline.regret[budget], floor), against: 'ours' };
}

function functionTables(): void {
  const results = new Map<string, Map<string, CellRuns | string>>();
  for (const name of FUNCTIONS) {
    const fn = getTestFunction(name);
    const row = new Map<string, CellRuns | string>();
    for (const label of SAMPLERS) {
      const t0 = performance.now();
      row.set(label, runCells(label, fn));
      log(`  ${name} ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    results.set(name, row);
  }

  const ratios = new Map<string, Ratio[]>(SAMPLERS.map((s) => [s, []]));
  for (const budget of BUDGETS) {
    print(`### Median regret @${budget} (ratio to Optuna's default TPE, or to our \`${BASELINE}\` where marked †)`);
    print();
    print(`| function | ${SAMPLERS.join(' | ')} |`);
    print(`|---|${SAMPLERS.map(() => '---|').join('')}`);
    for (const name of FUNCTIONS) {
      const fn = getTestFunction(name);
      const row = results.get(name)!;
      const cells = SAMPLERS.map((label) => {
        const cell = row.get(label)!;
        if (typeof cell === 'string') return cell;
        const regret = cell.regret[budget];
        if (regret === undefined) return '–';
        const r = headlineRatio(fn, budget, regret, row.get(BASELINE));
        if (r === null) return fmt(regret, 3);
        ratios.get(label)!.push({ fn: name, budget, ratio: r.ratio, public: r.against === 'optuna' });
        return `${fmt(regret, 3)} (${r.ratio.toFixed(2)}${r.against === 'ours' ? '†' : ''})`;
      });
      print(`| ${name} | ${cells.join(' | ')} |`);
    }
    print();
  }

  print("### Summary: geometric mean of the ratios (below 1: better than Optuna's default TPE / our TPE with Optuna's defaults)");
  print();
  print("| sampler | public functions vs Optuna TPE | wider functions vs our TPE (Optuna's defaults) | all | worst cell | cells > 1.5 | median s per run (largest budget) |");
  print('|---|---|---|---|---|---|---|');
  for (const label of SAMPLERS) {
    const rs = ratios.get(label)!;
    const gm = (xs: Ratio[]): string => (xs.length ? `${geometricMean(xs.map((x) => x.ratio)).toFixed(3)} (${xs.length})` : '–');
    const worst = rs.length ? rs.reduce((a, b) => (b.ratio > a.ratio ? b : a)) : null;
    const walls = FUNCTIONS.map((n) => results.get(n)!.get(label)!).filter((c): c is CellRuns => typeof c !== 'string').map((c) => c.wallSeconds);
    print(
      `| ${label} | ${gm(rs.filter((r) => r.public))} | ${gm(rs.filter((r) => !r.public))} | ${gm(rs)} | ${worst ? `${worst.fn} @${worst.budget} ${worst.ratio.toFixed(2)}` : '–'} | ${rs.filter((r) => r.ratio > 1.5).length} | ${walls.length ? median(walls).toFixed(2) : '–'} |`,
    );
  }
  print();

  const same = SAMPLERS.filter((s) => SAME_SAMPLER_REF[s]);
  if (same.length > 0) {
    print("### Against Optuna's same sampler (public functions, budgets the reference has)");
    print();
    print('| sampler | Optuna counterpart | geometric mean of regret ratios | worst cell |');
    print('|---|---|---|---|');
    const names: Record<string, string> = { random: 'RandomSampler', tpe: 'TPESampler(multivariate=True)', [BASELINE]: 'TPESampler()', 'tpe-mv': 'TPESampler(multivariate=True)', cmaes: 'CmaEsSampler', de: 'SciPy differential_evolution', qmc: 'QMCSampler(sobol, scrambled)', gp: 'GPSampler' };
    for (const label of same) {
      const ref = SAME_SAMPLER_REF[label];
      const rs: Ratio[] = [];
      for (const name of FUNCTIONS) {
        const cell = results.get(name)!.get(label)!;
        if (typeof cell === 'string') continue;
        const fn = getTestFunction(name);
        for (const b of BUDGETS) if (ref[name]?.[b] !== undefined && cell.regret[b] !== undefined) rs.push({ fn: name, budget: b, ratio: regretRatio(fn.optimum + cell.regret[b], ref[name][b], fn), public: true });
      }
      const worst = rs.length ? rs.reduce((a, b) => (b.ratio > a.ratio ? b : a)) : null;
      print(`| ${label} | ${names[label]} | ${rs.length ? `${geometricMean(rs.map((r) => r.ratio)).toFixed(3)} (${rs.length})` : '–'} | ${worst ? `${worst.fn} @${worst.budget} ${worst.ratio.toFixed(2)}` : '–'} |`);
    }
    print();
  }
}

/** Best feasible value (maximised) of one IB run of `budget` trials: the trials with enough trades count. */
function ibRun(make: (seed: number) => Sampler, objective: BenchObjective, budget: number, seed: number): number {
  const study = createStudy({ direction: objective.direction, sampler: make(seed), constraints: objective.constraints });
  const clock: EvalClock = { evalMs: 0 };
  let best = -Infinity;
  for (let i = 0; i < budget; i++) {
    const trial = study.ask();
    const frozen = study.tell(trial, objective.evaluate(trial, clock));
    if (isFeasible(frozen) && frozen.values![0] > best) best = frozen.values![0];
  }
  return best;
}

function ibTable(): void {
  const budget = positiveInts(flags['ib-budget'], '--ib-budget')[0];
  const seeds = Array.from({ length: positiveInts(flags['ib-seeds'], '--ib-seeds')[0] }, (_, i) => i);
  const spec = ibSpec({ grid: 'expanded' });
  const objective = loadBenchObjective(spec);
  if (objective.direction !== 'maximize') throw new Error('the IB table expects a maximised metric (sharpe)');
  // Grid needs the objective's grid: it runs here, not in the function tables.
  const labels = [...SAMPLERS.filter((s) => s !== 'grid'), 'grid'];
  print(`### IB expanded space (GER40, built-in data, ${objective.grid?.size.toLocaleString('en-US')} grid points), best feasible Sharpe @${budget}`);
  print();
  print(`Median over seeds ${seeds[0]}..${seeds[seeds.length - 1]} of the best Sharpe ratio among trials with at least ${spec.minTrades} trades (higher is better); min and max over the seeds.`);
  print();
  print('| sampler | median best Sharpe | min | max | median s per run |');
  print('|---|---|---|---|---|');
  for (const label of labels) {
    const make = label === 'grid' ? (seed: number) => createSampler('grid', { seed }, { grid: objective.grid }) : makerOf(label);
    const bests: number[] = [];
    const walls: number[] = [];
    const t0 = performance.now();
    for (const seed of seeds) {
      const started = performance.now();
      bests.push(ibRun(make, objective, budget, seed));
      walls.push((performance.now() - started) / 1000);
    }
    log(`  ib ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    print(`| ${label} | ${fmt(median(bests))} | ${fmt(Math.min(...bests))} | ${fmt(Math.max(...bests))} | ${median(walls).toFixed(1)} |`);
  }
  print();
}

function main(): void {
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const command = `nice npx tsx scripts/bench-samplers-wide.ts ${process.argv.slice(2).join(' ')}`.trim();
  log(`samplers ${SAMPLERS.join(', ')}; functions ${FUNCTIONS.join(', ')}; seeds ${SEEDS.join(',')}; budgets ${BUDGETS.join(',')}`);
  if (!flags['ib-only']) functionTables();
  if (flags.ib || flags['ib-only']) ibTable();
  const minutes = (performance.now() - started) / 60000;
  const scope = flags['ib-only'] ? 'the IB table only' : `seeds ${SEEDS[0]}..${SEEDS[SEEDS.length - 1]}, budgets ${BUDGETS.join(' and ')}${Object.keys(CAPS).length ? `, capped: ${Object.entries(CAPS).map(([k, v]) => `${k} at ${v}`).join(', ')}` : ''}`;
  const header = [
    `Produced by \`${command}\` (Node ${process.version}); ${scope}.`,
    `Wall time ${minutes.toFixed(1)} min; one-minute load average ${loadBefore.toFixed(2)} at the start and ${loadavg()[0].toFixed(2)} at the end (2 cores shared with other work).`,
    '',
  ];
  process.stdout.write(`${[...header, ...out].join('\n')}\n`);
}

main();
