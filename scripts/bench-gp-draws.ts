/**
 * The GP sampler with and without an acquisition integrated over hyper-parameter draws
 * (`hyperparameterDraws`, issue 16's hartmann6 basin): per function, median regret at 25, 50 and
 * 100 trials over seeds, the per-seed regrets at 100, and the number of runs within 0.01 of the
 * optimum at 100 trials (on hartmann6: the global basin; its local minimum is 0.119 or 0.185
 * above). The configurations run seed by seed interleaved, so that the shared machine's load
 * falls on both alike. Results in docs/bench-gp-hartmann6.md.
 *
 *   nice npx tsx scripts/bench-gp-draws.ts [functions] [number of seeds] [first seed] [draws, comma-separated]
 *
 * Defaults: hartmann6, seeds 0..9, draws 0,4 (0 is the default sampler). Progress goes to stderr.
 */
import { GPSampler } from '../samplers/gp/index.js';
import { getTestFunction } from '../studies/functions/index.js';
import { median, runSamplerOnFunction } from './lib/sampler-bench.js';

const BUDGETS = [25, 50, 100];
const BASIN = 0.01;
const functions = (process.argv[2] ?? 'hartmann6').split(',');
const firstSeed = Number(process.argv[4] ?? 0);
const seeds = Array.from({ length: Number(process.argv[3] ?? 10) }, (_, i) => firstSeed + i);
const drawsList = (process.argv[5] ?? '0,4').split(',').map(Number);

const fmt = (v: number): string => v.toPrecision(3);

process.stdout.write(
  `| function | draws | regret @25 | @50 | @100 | within ${BASIN} @100 | per seed @100 (seeds ${seeds[0]}..${seeds[seeds.length - 1]}) | CPU s |\n|---|---|---|---|---|---|---|---|\n`,
);
for (const name of functions) {
  const fn = getTestFunction(name);
  const at = drawsList.map(() => Object.fromEntries(BUDGETS.map((b) => [b, [] as number[]])) as Record<number, number[]>);
  const cpu = drawsList.map(() => 0);
  for (const seed of seeds) {
    drawsList.forEach((draws, c) => {
      const before = process.cpuUsage();
      const run = runSamplerOnFunction((s) => new GPSampler({ seed: s, hyperparameterDraws: draws }), fn, Math.max(...BUDGETS), seed);
      const used = process.cpuUsage(before);
      cpu[c] += (used.user + used.system) / 1e6;
      for (const b of BUDGETS) at[c][b].push(run.curve[b - 1] - fn.optimum);
      process.stderr.write(`${name} seed ${seed} draws ${draws}: ${fmt(at[c][100][at[c][100].length - 1])}\n`);
    });
  }
  drawsList.forEach((draws, c) => {
    const within = at[c][100].filter((r) => r < BASIN).length;
    process.stdout.write(
      `| ${name} | ${draws} | ${BUDGETS.map((b) => fmt(median(at[c][b]))).join(' | ')} | ${within}/${seeds.length} | ${at[c][100].map(fmt).join(' ')} | ${cpu[c].toFixed(0)} |\n`,
    );
  });
}
