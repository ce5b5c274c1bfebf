/**
 * GP `ask` time with n finished trials (hartmann6, 6 parameters): Optuna's behaviour
 * (`refitSchedule: 'every-trial'`, `acquisitionSearch: 'exact'`: hyper-parameters refitted, the
 * GP built afresh and every candidate scored on it at every trial) against the defaults ('growing':
 * refit once the trials have grown by 5%, the GP extended by the new trials in between; 'scaled':
 * past 400 trials, exact scores for the most promising candidates only and local searches on local
 * GPs; see samplers/gp/model-cache.ts and sampler.ts). Each size fills two identical histories by
 * random search (the cost depends on n, not on where the points are), then asks and tells on them
 * alternately, so both see the same load. Times are the process's CPU time (process.cpuUsage, user
 * plus system) per ask, not wall time: on a shared machine the wall time mostly measures the
 * other processes' load.
 *
 * Then the search's quality where it approximates: on GPs fitted to random hartmann6 histories of
 * n trials (as the sampler fits them), the full model's log EI at the point the 'scaled' search
 * proposes against the point the exact search proposes, over search seeds.
 *
 *   nice npx tsx scripts/bench-gp-ask.ts [sizes, comma-separated] [asks per configuration] [search sizes]
 *
 * Defaults: 100,300,1000, 8 asks, search sizes 600,1000. Prints Markdown tables for
 * docs/bench-gp-speed.md: the first ask (a cold fit, what a refit costs), the median of the
 * others (the steady state), and the mean per trial over one refit period (one refit, then steady
 * asks until n has grown by 5%).
 */
import type { ParamValue } from '../src/distributions.js';
import { createStudy } from '../src/study.js';
import type { Study } from '../src/study.js';
import { suggestFrom } from '../src/trial.js';
import { GPSampler } from '../samplers/gp/index.js';
import { REFIT_EVERY_TRIAL_MAX, REFIT_GROWTH } from '../samplers/gp/model-cache.js';
import { EXACT_CANDIDATES, type GPSamplerOptions, LOCAL_GP_SIZE } from '../samplers/gp/sampler.js';
import { GPRegressor, fitKernelParams } from '../samplers/gp/gp.js';
import { LogEI, maximizeAcquisition } from '../samplers/gp/acquisition.js';
import { columnKind } from '../samplers/gp/search-columns.js';
import { warpScores } from '../samplers/gp/output-warping.js';
import { SearchSpaceTransform } from '../src/transform.js';
import { RandomSampler } from '../samplers/random.js';
import { getTestFunction } from '../studies/functions/index.js';
import { median } from './lib/sampler-bench.js';

const sizes = (process.argv[2] ?? '100,300,1000').split(',').map(Number);
const asks = Number(process.argv[3] ?? 8);
const searchSizes = (process.argv[4] ?? '600,1000').split(',').map(Number);
const fn = getTestFunction('hartmann6');
const configurations: { name: string; options: GPSamplerOptions }[] = [
  { name: "Optuna's (every-trial, exact)", options: { refitSchedule: 'every-trial', acquisitionSearch: 'exact' } },
  { name: 'default (growing, scaled)', options: {} },
];

function evaluateTrial(study: Study, trial: ReturnType<Study['ask']>): void {
  const params: Record<string, ParamValue> = {};
  for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
  study.tell(trial, fn.evaluate(params));
}

function randomHistory(n: number, seed: number): Study {
  const history = createStudy({ sampler: new RandomSampler({ seed }) });
  for (let i = 0; i < n; i++) evaluateTrial(history, history.ask());
  return history;
}

function studyWithHistory(n: number, options: GPSamplerOptions): Study {
  const history = randomHistory(n, 1);
  return createStudy({ sampler: new GPSampler({ seed: 2, ...options }), storage: history.storage, studyName: history.studyName, loadIfExists: true });
}

const fmt = (ms: number): string => ms.toFixed(0);
process.stdout.write(`| n | configuration | first ask (cold fit) CPU ms | steady ask CPU ms (median of ${asks - 1}) | mean CPU ms per trial over a refit period |\n|---|---|---|---|---|\n`);
for (const n of sizes) {
  const studies = configurations.map((c) => studyWithHistory(n, c.options));
  const times: number[][] = configurations.map(() => []);
  for (let r = 0; r < asks; r++) {
    configurations.forEach((_, j) => {
      const t0 = process.cpuUsage();
      const trial = studies[j].ask();
      const used = process.cpuUsage(t0);
      times[j].push((used.user + used.system) / 1000);
      evaluateTrial(studies[j], trial);
    });
  }
  configurations.forEach((c, j) => {
    const first = times[j][0];
    const steady = median(times[j].slice(1));
    // 'every-trial' refits at every trial; 'growing' past REFIT_EVERY_TRIAL_MAX once per 5% growth.
    const period = c.options.refitSchedule !== 'every-trial' && n > REFIT_EVERY_TRIAL_MAX ? Math.max(1, Math.ceil(n * REFIT_GROWTH)) : 1;
    const amortised = period === 1 ? steady : (first + (period - 1) * steady) / period;
    process.stdout.write(`| ${n} | ${c.name} | ${fmt(first)} | ${fmt(steady)} | ${fmt(amortised)} |\n`);
    process.stderr.write(`n=${n} ${c.name}: ${times[j].map(fmt).join(' ')}\n`);
  });
}

// The search where it approximates: the full model's log EI at each search's proposal.
process.stdout.write('\n| n | history seed | exact search: log EI, CPU ms | scaled search: log EI, CPU ms | scaled - exact |\n|---|---|---|---|---|\n');
for (const n of searchSizes) {
  for (const seed of [1, 2, 3]) {
    const trials = randomHistory(n, seed).getTrials({ states: ['COMPLETE'] });
    const transform = new SearchSpaceTransform(fn.space, { normalize: true, categorical: 'index' });
    const columns = transform.names.map((name) => columnKind(fn.space[name]));
    const d = columns.length;
    const x = new Float64Array(n * d);
    trials.forEach((t, i) => x.set(transform.encode(t.params), i * d));
    const y = warpScores(trials.map((t) => -t.values![0]));
    const isCat = new Uint8Array(d);
    const gp = new GPRegressor(x, y, d, isCat, fitKernelParams(x.slice(0, 128 * d), y.slice(0, 128), d, isCat));
    const acq = new LogEI(gp, Math.max(...y));
    const nPreliminary = Math.max(512, Math.min(2048, Math.floor((2048 * 100) / n)));
    const run = (scaled: boolean): [number, number] => {
      const t0 = process.cpuUsage();
      const best = maximizeAcquisition(acq, columns, [], { nPreliminary, nLocalSearch: 5, seed: 7, ...(scaled ? { nExact: EXACT_CANDIDATES, localSize: LOCAL_GP_SIZE } : {}) });
      const used = process.cpuUsage(t0);
      return [acq.value(best.x), (used.user + used.system) / 1000];
    };
    const [exact, exactMs] = run(false);
    const [scaled, scaledMs] = run(true);
    process.stdout.write(`| ${n} | ${seed} | ${exact.toFixed(4)}, ${fmt(exactMs)} | ${scaled.toFixed(4)}, ${fmt(scaledMs)} | ${(scaled - exact).toExponential(2)} |\n`);
  }
}
