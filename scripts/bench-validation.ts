/**
 * Out-of-sample validation benchmark (the out-of-sample issue's targets). Build first
 * (`npm run build`), then:
 *
 *   node dist/scripts/bench-validation.js walk-forward [--trials 300] [--windows rolling:is=1y,oos=6w]
 *   node dist/scripts/bench-validation.js statistics --file big.db [--study-name X]
 *   node dist/scripts/bench-validation.js pruning [--seeds 5] [--trials 300] [--folds kfold:k=10]
 *   node dist/scripts/bench-validation.js robust [--xauusd-dir DIR] [--windows rolling:is=6m,oos=1m] [--seeds 3]
 *
 * walk-forward  `studyopt optimize --walk-forward` with TPE on the built-in synthetic GER40 (2.5
 *               years; 12 windows of a year in sample and six weeks out of sample), wall time of
 *               the whole command into a fresh SQLite file; the baseline, in the same run, is one
 *               ordinary study of as many trials (windows x trials) on the whole range.
 * statistics    on an existing IB study file (e.g. the whole expanded grid, 1,478,400 trials):
 *               what the overfitting statistics add to `studyopt best` (ibOverfitting, its parts),
 *               against `best` itself (the best trial read through the value index).
 * pruning       the cross-validated IB objective (kfold:k=10 on GER40), TPE, with and without
 *               Wilcoxon pruning: fold evaluations spent and the out-of-sample best reached,
 *               median over seeds.
 * robust        walk-forward on the real XAUUSD 2024 data (imported from --xauusd-dir, the shared
 *               Parquet files by default): each window's raw best and its robust pick traded out of
 *               sample, from the same window studies (the standard grid, then TPE seeds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrozenTrial } from '../src/frozen-trial.js';
import { WilcoxonPruner } from '../src/pruners/wilcoxon.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { createStudy } from '../src/study.js';
import { TPESampler } from '../samplers/tpe/index.js';
import { bestTrials, summarizeTrials } from '../src/storage/trial-statistics.js';
import { ibOverfitting } from '../studies/ib/overfitting.js';

const CLI = fileURLToPath(new URL('../src/apps/cli/main.js', import.meta.url));

function stringArg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function numberArg(name: string, fallback: number): number {
  const v = stringArg(name);
  return v === undefined ? fallback : Number(v);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`;
}

/** Runs the CLI; returns its wall time in seconds and its stdout. */
function studyopt(env: NodeJS.ProcessEnv, args: readonly string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`studyopt ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

function walkForward(): void {
  const trials = numberArg('trials', 300);
  const windows = stringArg('windows', 'rolling:is=1y,oos=6w')!;
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-bench-wf-'));
  const env = { ...process.env, STUDYOPT_DATA_DIR: join(dir, 'data') };
  try {
    studyopt(env, ['data', 'generate', '--symbol', 'GER40']); // the built-in 2.5 years, outside the timing
    const wf = studyopt(env, ['optimize', '--walk-forward', windows, '--sampler', 'tpe', '--trials', String(trials), '--seed', '1', '--storage', join(dir, 'wf.db'), '--json']);
    const result = JSON.parse(wf.stdout) as { walkForward: { windows: unknown[]; efficiency: number | null } };
    const n = result.walkForward.windows.length;
    const plain = studyopt(env, ['optimize', '--sampler', 'tpe', '--trials', String(n * trials), '--seed', '1', '--storage', join(dir, 'plain.db'), '--json']);
    console.log(`walk-forward ${windows}, GER40 synthetic 2.5 years, TPE, ${trials} trials per window, ${machine()}`);
    console.log(`  ${n} windows (${n * trials} trials): ${wf.seconds.toFixed(1)} s end to end; efficiency ${result.walkForward.efficiency === null ? 'n/a' : result.walkForward.efficiency.toFixed(3)}`);
    console.log(`  baseline, one study of ${n * trials} TPE trials on the whole range: ${plain.seconds.toFixed(1)} s; ratio ${(wf.seconds / plain.seconds).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function statistics(): void {
  const file = stringArg('file');
  if (!file) throw new Error('statistics needs --file <an IB study file>, e.g. the whole expanded grid run by `studyopt optimize --sampler grid`');
  const storage = new SqliteStorage(file);
  try {
    const name = stringArg('study-name') ?? storage.getAllStudies()[0].studyName;
    const id = storage.findStudyId(name)!;
    const time = <T>(fn: () => T): { value: T; seconds: number } => {
      const t0 = performance.now();
      const value = fn();
      return { value, seconds: (performance.now() - t0) / 1000 };
    };
    const best = time(() => storage.getBestTrial(id)!);
    const values = time(() => summarizeTrials(storage, id, 'value'));
    const attrs = time(() => summarizeTrials(storage, id, { userAttr: 'sharpe_ratio' }));
    const top = time(() => bestTrials(storage, id, 50));
    const all = time(() => ibOverfitting(storage, id, { best: best.value }));
    console.log(`overfitting statistics of study '${name}' (${values.value.count.toLocaleString('en-US')} complete trials, ${file}), ${machine()}`);
    console.log(`  best trial (studyopt best without statistics): ${best.seconds.toFixed(3)} s`);
    console.log(`  the trials' Sharpe ratios summed in SQL: ${values.seconds.toFixed(3)} s from their values (objective sharpe), ${attrs.seconds.toFixed(3)} s from their sharpe_ratio attribute (other objectives); the top 50 ranked in SQL: ${top.seconds.toFixed(3)} s`);
    console.log(`  all the statistics (DSR, effective N, PBO over the top 50, re-runs included): ${all.seconds.toFixed(3)} s; DSR ${all.value?.deflated.dsr.toFixed(3)}, PBO ${all.value?.pbo?.value.toFixed(3)}`);
    console.log(`  ratio to best alone: ${((best.seconds + all.seconds) / best.seconds).toFixed(1)}`);
  } finally {
    storage.close();
  }
}

/**
 * TPE on the cross-validated IB objective, unpruned for `trials` trials, then with Wilcoxon
 * pruning over shuffled folds until it reaches the unpruned run's best value (or `4 x trials`
 * trials): fold evaluations spent by each. Sequential, in this thread, so that a seed decides.
 */
async function pruning(): Promise<void> {
  const seeds = numberArg('seeds', 5);
  const trials = numberArg('trials', 300);
  const folds = stringArg('folds', 'kfold:k=10')!;
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-bench-pruning-'));
  process.env['STUDYOPT_DATA_DIR'] = join(dir, 'data');
  const ib = await import('../studies/ib/objective.js');
  ib.setup({ symbol: 'GER40', grid: 'expanded', objective: 'sharpe', folds, shuffleFolds: true });
  const evaluations = (t: FrozenTrial): number => t.intermediateValues.size;
  console.log(`Wilcoxon pruning over shuffled folds (${folds}, GER40 synthetic 2.5 years, sharpe, mean of folds), TPE, ${machine()}`);
  const ratios: number[] = [];
  const strict: number[] = [];
  try {
    for (let seed = 1; seed <= seeds; seed++) {
      const plain = createStudy({ direction: 'maximize', sampler: new TPESampler({ seed }) });
      await plain.optimize(ib.objective, { nTrials: trials });
      const target = plain.bestValue;
      const plainEvaluations = plain.trials.reduce((a, t) => a + evaluations(t), 0);
      // Stricter: the evaluations the unpruned run had spent when it first found its best.
      const firstBest = plain.trials.findIndex((t) => t.state === 'COMPLETE' && t.values![0] >= target);
      const plainToBest = plain.trials.slice(0, firstBest + 1).reduce((a, t) => a + evaluations(t), 0);
      const pruned = createStudy({ direction: 'maximize', sampler: new TPESampler({ seed }), pruner: new WilcoxonPruner({ onWarning: () => {} }) });
      let spent = 0;
      let reachedAt: number | null = null;
      await pruned.optimize(ib.objective, {
        nTrials: 4 * trials,
        callbacks: [
          (study, t) => {
            spent += evaluations(t);
            if (reachedAt === null && t.state === 'COMPLETE' && t.values![0] >= target) {
              reachedAt = spent;
              study.stop();
            }
          },
        ],
      });
      const prunedCount = pruned.trials.filter((t) => t.state === 'PRUNED').length;
      const ratio = reachedAt === null ? Number.NaN : plainEvaluations / reachedAt;
      ratios.push(reachedAt === null ? 0 : ratio);
      strict.push(reachedAt === null ? 0 : plainToBest / reachedAt);
      console.log(
        `  seed ${seed}: unpruned best ${target.toFixed(4)} in ${plainEvaluations} fold evaluations (${trials} trials; found after ${plainToBest}); pruned ` +
          (reachedAt === null ? `did not reach it in ${pruned.trials.length} trials (${spent} evaluations, best ${pruned.bestValue.toFixed(4)})` : `reached it after ${reachedAt} evaluations (${pruned.trials.length} trials, ${prunedCount} pruned): ${ratio.toFixed(2)}x fewer`),
      );
    }
    console.log(`  median over ${seeds} seeds: ${median(ratios).toFixed(2)}x fewer fold evaluations than the unpruned run's ${trials} trials (0 where the pruned run did not reach its best)`);
    console.log(`  stricter, against the evaluations the unpruned run had spent when it found its best: median ${median(strict).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface WfJson {
  walkForward: {
    windows: { index: number; bestTrial: number; inSampleValue: number; outOfSampleValue: number }[];
    stitched: { value: number; metrics: { total_r: number; total_trades: number } };
    efficiency: number | null;
  };
}

/**
 * Does the robust pick beat the raw best out of sample? Walk-forward on the real XAUUSD 2024
 * data: each window searched (the whole standard grid, then TPE with several seeds), and each
 * window's raw best and robust pick traded on the month after, from the same window studies.
 */
function robust(): void {
  const source = stringArg('xauusd-dir', join('..', 'shared', 'data', 'real', 'XAUUSD', 'dukascopy_m1_2024_parquet_original'))!;
  const windows = stringArg('windows', 'rolling:is=6m,oos=1m')!;
  const seeds = numberArg('seeds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-bench-robust-'));
  const env = { ...process.env, STUDYOPT_DATA_DIR: join(dir, 'data') };
  try {
    studyopt(env, ['data', 'import', '--symbol', 'XAUUSD', '--csv', join(source, '*.parquet')]);
    console.log(`robust pick against raw best out of sample: walk-forward ${windows} on real XAUUSD 2024, sharpe, ${machine()}`);
    const searches: [string, string[]][] = [
      ['standard grid (every point of each window)', ['--sampler', 'grid', '--grid', 'standard']],
      ...Array.from({ length: seeds }, (_, i): [string, string[]] => [`TPE, 300 trials, seed ${i + 1}`, ['--sampler', 'tpe', '--trials', '300', '--seed', String(i + 1)]]),
    ];
    let wins = 0;
    let windowsCompared = 0;
    for (const [label, flags] of searches) {
      const db = join(dir, `${flags.join('-').replace(/[^\w]+/g, '_')}.db`);
      const run = (select: string) => JSON.parse(studyopt(env, ['optimize', '--symbol', 'XAUUSD', '--walk-forward', windows, ...flags, '--select', select, '--storage', db, '--json']).stdout) as WfJson;
      const best = run('best').walkForward;
      const plateau = run('robust').walkForward;
      const better = best.windows.filter((w, i) => plateau.windows[i].outOfSampleValue > w.outOfSampleValue).length;
      const same = best.windows.filter((w, i) => plateau.windows[i].bestTrial === w.bestTrial).length;
      wins += better;
      windowsCompared += best.windows.length - same;
      console.log(`  ${label}: stitched out-of-sample sharpe ${best.stitched.value.toFixed(3)} (best) vs ${plateau.stitched.value.toFixed(3)} (robust); total R ${best.stitched.metrics.total_r.toFixed(2)} vs ${plateau.stitched.metrics.total_r.toFixed(2)}; efficiency ${best.efficiency?.toFixed(3)} vs ${plateau.efficiency?.toFixed(3)}`);
      console.log(`    windows where the robust pick did better out of sample: ${better} of ${best.windows.length} (${same} windows picked the same trial)`);
      console.log(`    per window OOS sharpe, best / robust: ${best.windows.map((w, i) => `${w.outOfSampleValue.toFixed(2)}/${plateau.windows[i].outOfSampleValue.toFixed(2)}`).join('  ')}`);
    }
    console.log(`  over all searches: the robust pick did better in ${wins} of the ${windowsCompared} windows where it differed from the best`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const figure = process.argv[2];
if (figure === 'walk-forward') walkForward();
else if (figure === 'statistics') statistics();
else if (figure === 'pruning') await pruning();
else if (figure === 'robust') robust();
else {
  console.error('usage: node dist/scripts/bench-validation.js walk-forward|statistics|pruning|robust [options] (see the header)');
  process.exitCode = 2;
}
