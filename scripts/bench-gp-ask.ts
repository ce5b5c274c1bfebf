/**
 * GP `ask` time with n finished trials (hartmann6, 6 parameters), for the refit schedules of
 * samplers/gp/model-cache.ts: 'every-trial' (Optuna's behaviour: hyper-parameters refitted and the
 * GP built afresh at every trial) and 'growing' (the default: refit once the trials have grown by
 * 5%, the GP extended by the new trials in between). Each size fills two identical histories by
 * random search (the cost depends on n, not on where the points are), then asks and tells on
 * them alternately, so both schedules see the same load.
 *
 *   nice npx tsx scripts/bench-gp-ask.ts [sizes, comma-separated] [asks per schedule]
 *
 * Defaults: 100,300,1000 and 8 asks. Prints a Markdown table for docs/bench-gp-speed.md: the
 * first ask (a cold fit, what a refit costs), the median of the others (the steady state), and
 * the mean per trial over one refit period (one refit, then steady asks until n has grown by 5%).
 */
import type { ParamValue } from '../src/distributions.js';
import { createStudy } from '../src/study.js';
import type { Study } from '../src/study.js';
import { suggestFrom } from '../src/trial.js';
import { GPSampler } from '../samplers/gp/index.js';
import { REFIT_EVERY_TRIAL_MAX, REFIT_GROWTH, type RefitSchedule } from '../samplers/gp/model-cache.js';
import { RandomSampler } from '../samplers/random.js';
import { getTestFunction } from '../studies/functions/index.js';
import { median } from './lib/sampler-bench.js';

const sizes = (process.argv[2] ?? '100,300,1000').split(',').map(Number);
const asks = Number(process.argv[3] ?? 8);
const fn = getTestFunction('hartmann6');
const schedules: RefitSchedule[] = ['every-trial', 'growing'];

function evaluateTrial(study: Study, trial: ReturnType<Study['ask']>): void {
  const params: Record<string, ParamValue> = {};
  for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
  study.tell(trial, fn.evaluate(params));
}

function studyWithHistory(n: number, schedule: RefitSchedule): Study {
  const history = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  for (let i = 0; i < n; i++) evaluateTrial(history, history.ask());
  return createStudy({ sampler: new GPSampler({ seed: 2, refitSchedule: schedule }), storage: history.storage, studyName: history.studyName, loadIfExists: true });
}

const fmt = (ms: number): string => ms.toFixed(0);
process.stdout.write(`| n | schedule | first ask (cold fit) ms | steady ask ms (median of ${asks - 1}) | mean ms per trial over a refit period |\n|---|---|---|---|---|\n`);
for (const n of sizes) {
  const studies = schedules.map((s) => studyWithHistory(n, s));
  const times: number[][] = schedules.map(() => []);
  for (let r = 0; r < asks; r++) {
    schedules.forEach((_, j) => {
      const t0 = performance.now();
      const trial = studies[j].ask();
      times[j].push(performance.now() - t0);
      evaluateTrial(studies[j], trial);
    });
  }
  schedules.forEach((schedule, j) => {
    const first = times[j][0];
    const steady = median(times[j].slice(1));
    // 'every-trial' refits at every trial; 'growing' past REFIT_EVERY_TRIAL_MAX once per 5% growth.
    const period = schedule === 'growing' && n > REFIT_EVERY_TRIAL_MAX ? Math.max(1, Math.ceil(n * REFIT_GROWTH)) : 1;
    const amortised = period === 1 ? steady : (first + (period - 1) * steady) / period;
    process.stdout.write(`| ${n} | ${schedule} | ${fmt(first)} | ${fmt(steady)} | ${fmt(amortised)} |\n`);
    process.stderr.write(`n=${n} ${schedule}: ${times[j].map(fmt).join(' ')}\n`);
  });
}
