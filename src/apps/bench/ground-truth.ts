/**
 * The IB grid's ground truth: every grid point's objective value, computed once with the grid
 * sampler and kept as a study in the store (`bench-truth:ib-GER40-standard-sharpe`), so a second
 * bench (or an interrupted one) reuses or finishes it instead of starting over. The study is an
 * ordinary IB study, so `studyopt report` works on it too.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openCliStudy } from '../cli/cli-study.js';
import { optimizePool } from '../../executor/index.js';
import { type FrozenTrial, isFeasible } from '../../frozen-trial.js';
import type { Storage } from '../../storage/storage.js';
import { GridSampler } from '../../../samplers/grid.js';
import * as ib from '../../../studies/ib/objective.js';
import { metricDirection } from '../../../studies/ib/metric-catalogue.js';
import { type IbBenchSpec, loadBenchObjective, specName } from './objectives.js';
import type { Progress } from './progress.js';
import { Reference } from './reference.js';

export const TRUTH_PREFIX = 'bench-truth:';

export interface GroundTruth {
  readonly studyName: string;
  readonly reference: Reference;
  /** Grid points evaluated by this call (0 when the stored truth was complete). */
  readonly computed: number;
  readonly seconds: number;
}

/** The configuration stored on the truth study: the shape `studyopt optimize` stores for IB studies. */
export function truthConfig(spec: IbBenchSpec): Record<string, unknown> {
  return { study: 'ib', symbol: spec.symbol, grid: spec.grid, objective: spec.metric, minTrades: spec.minTrades, from: spec.from ?? null, to: spec.to ?? null };
}

/** The IB objective module for pool workers: the built .js next to this build, else the source. */
function ibModuleUrl(): URL {
  const js = new URL('../../../studies/ib/objective.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js : new URL('../../../studies/ib/objective.ts', import.meta.url);
}

export async function gridTruth(
  storage: Storage,
  spec: IbBenchSpec,
  options: { workers: number; progress: Progress; signal?: AbortSignal },
): Promise<GroundTruth> {
  const started = performance.now();
  const studyName = `${TRUTH_PREFIX}${specName(spec)}`;
  const objective = loadBenchObjective(spec);
  const grid = objective.grid!;
  const { study } = openCliStudy({
    storage,
    studyName,
    fresh: false,
    direction: metricDirection(spec.metric),
    sampler: new GridSampler(grid, { retryFailed: true }),
    constraints: objective.constraints,
    config: truthConfig(spec),
  });
  const done = study.getTrials({ states: ['COMPLETE'] }).length;
  let computed = 0;
  if (done < grid.size) {
    const task = options.progress.task(`grid truth (${grid.size} points)`, grid.size);
    let n = done;
    let best: number | null = null;
    const callbacks = [
      (_s: unknown, t: FrozenTrial) => {
        n++;
        if (t.state === 'COMPLETE' && isFeasible(t) && (best === null || t.values![0] > best)) best = t.values![0];
        task.update(n, best);
      },
    ];
    const moduleOptions: ib.IbStudyOptions = { symbol: spec.symbol, grid: spec.grid, objective: spec.metric, minTrades: spec.minTrades, from: spec.from, to: spec.to };
    const run = { targetFinished: grid.size, callbacks, signal: options.signal, moduleOptions };
    if (options.workers > 1) {
      await optimizePool(study, ibModuleUrl(), { ...run, workers: options.workers });
    } else {
      ib.setup(moduleOptions);
      await study.optimize(ib.objective, run);
    }
    computed = n - done;
    task.finish();
  }
  const trials = study.getTrials({ states: ['COMPLETE', 'FAIL'] });
  if (options.signal?.aborted && trials.length < grid.size) throw new Error('interrupted');
  const values: number[] = [];
  let infeasible = 0;
  for (const t of trials) {
    if (t.state === 'COMPLETE' && isFeasible(t)) values.push(t.values![0]);
    else infeasible++;
  }
  return { studyName, reference: new Reference('grid', metricDirection(spec.metric), values, infeasible), computed, seconds: (performance.now() - started) / 1000 };
}
