/**
 * Where the CLI's objective comes from, resolved once from the flags:
 * - the IB backtest (the default study), with `--objective` naming the metric to maximise;
 * - a test function (`--objective branin`).
 */
import { UsageError } from '../errors.js';
import type { StudyDirection } from '../frozen-trial.js';
import type { Objective } from '../optimize.js';
import type { ConstraintsFunc } from '../study.js';
import type { GridSpec } from '../../samplers/grid.js';
import { getTestFunction, isTestFunctionName, testFunctionNames } from '../../studies/functions/index.js';
import * as ib from '../../studies/ib/objective.js';
import { kebab } from './sampler-flags.js';

export interface ObjectiveSource {
  /** 'ib' or 'function'. */
  readonly kind: 'ib' | 'function';
  /** A short name used in default study names and messages. */
  readonly name: string;
  readonly objective: Objective;
  readonly direction: StudyDirection;
  /** The grid the grid sampler walks, when the objective has one. */
  readonly grid?: GridSpec;
  readonly constraints?: ConstraintsFunc;
  /** Known optimum, for test functions. */
  readonly optimum?: number;
  /** What the study was configured with, stored on the study so a resume can check it. */
  readonly config: Record<string, unknown>;
}

export interface ObjectiveFlags {
  study?: string;
  objective?: string;
  symbol?: string;
  grid?: string;
  minTrades?: number;
  from?: string;
  to?: string;
}

const IB_ONLY_FLAGS = ['symbol', 'grid', 'minTrades', 'from', 'to'] as const;

export function resolveObjectiveSource(flags: ObjectiveFlags): ObjectiveSource {
  const study = flags.study ?? (flags.objective !== undefined && isTestFunctionName(flags.objective) ? 'function' : 'ib');
  if (study === 'ib') return ibSource(flags);
  if (study === 'function') {
    if (flags.objective === undefined) throw new UsageError(`--study function needs --objective <name>: ${testFunctionNames().join(', ')}`);
    for (const flag of IB_ONLY_FLAGS) {
      if (flags[flag] !== undefined) throw new UsageError(`--${kebab(flag)} belongs to the IB study, not to the test function '${flags.objective}'`);
    }
    return testFunctionSource(flags.objective);
  }
  throw new UsageError(`--study must be 'ib' (the IB breakout backtest) or 'function' (a test function), but got '${study}'`);
}

export function testFunctionSource(name: string): ObjectiveSource {
  const fn = getTestFunction(name);
  return {
    kind: 'function',
    name: fn.name,
    objective: (trial) => fn.objective(trial),
    direction: 'minimize',
    optimum: fn.optimum,
    config: { study: 'function', objective: fn.name },
  };
}

export function ibSource(flags: ObjectiveFlags): ObjectiveSource {
  const metric = flags.objective ?? 'sharpe';
  if (!(ib.OBJECTIVE_NAMES as readonly string[]).includes(metric)) {
    throw new UsageError(
      `--objective '${metric}' is neither an IB metric (${ib.OBJECTIVE_NAMES.join(', ')}) nor a test function (${testFunctionNames().join(', ')})`,
    );
  }
  const options: ib.IbStudyOptions = {
    symbol: flags.symbol ?? 'GER40',
    grid: (flags.grid ?? 'expanded') as ib.IbStudyOptions['grid'],
    objective: metric as ib.ObjectiveName,
    minTrades: flags.minTrades,
    from: flags.from,
    to: flags.to,
  };
  ib.setup(options);
  return {
    kind: 'ib',
    name: `ib-${options.symbol}-${options.grid}-${metric}`,
    objective: ib.objective,
    direction: ib.direction,
    grid: ib.grid(options.grid!),
    constraints: ib.constraints,
    config: { study: 'ib', ...options, minTrades: options.minTrades ?? null, from: options.from ?? null, to: options.to ?? null },
  };
}
