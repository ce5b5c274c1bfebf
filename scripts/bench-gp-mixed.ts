/**
 * The GP sampler on mixed and continuous test functions: median regret (best - optimum) over
 * seeds at 25, 50 and 100 trials (prefixes of one 100-trial run per seed), with the per-seed
 * regrets at 50 and 100, as Markdown rows for docs/bench-gp-mixed.md. Run it at two commits to
 * compare a change (the "before" rows of that file came from this script at the commit before
 * the mixed-space search).
 *
 *   nice npx tsx scripts/bench-gp-mixed.ts [functions, comma-separated] [number of seeds] [first seed]
 *
 * Defaults: mixed,mixed_numeric and seeds 0..9. Progress goes to stderr.
 */
import { GPSampler } from '../samplers/gp/index.js';
import { getTestFunction } from '../studies/functions/index.js';
import { median, runSamplerOnFunction } from './lib/sampler-bench.js';

const BUDGETS = [25, 50, 100];
const functions = (process.argv[2] ?? 'mixed,mixed_numeric').split(',');
const firstSeed = Number(process.argv[4] ?? 0);
const seeds = Array.from({ length: Number(process.argv[3] ?? 10) }, (_, i) => firstSeed + i);

const fmt = (v: number): string => v.toPrecision(3);

process.stdout.write(`| function | regret @25 | @50 | @100 | per seed @100 (seeds ${seeds[0]}..${seeds[seeds.length - 1]}) | s |\n|---|---|---|---|---|---|\n`);
for (const name of functions) {
  const fn = getTestFunction(name);
  const at: Record<number, number[]> = Object.fromEntries(BUDGETS.map((b) => [b, []]));
  const started = performance.now();
  for (const seed of seeds) {
    const run = runSamplerOnFunction((s) => new GPSampler({ seed: s }), fn, Math.max(...BUDGETS), seed);
    for (const b of BUDGETS) at[b].push(run.curve[b - 1] - fn.optimum);
    process.stderr.write(`${name} seed ${seed}: ${fmt(at[100][at[100].length - 1])}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`| ${name} | ${BUDGETS.map((b) => fmt(median(at[b]))).join(' | ')} | ${at[100].map(fmt).join(' ')} | ${seconds.toFixed(0)} |\n`);
}
