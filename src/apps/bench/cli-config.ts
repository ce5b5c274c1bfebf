/**
 * `studyopt bench`'s flags resolved once into a `BenchConfig` (every check that can fail on bad
 * input is here, as a UsageError naming the flag).
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../errors.js';
import type { StudyFlags } from '../cli/objective-source.js';
import { samplerEntry, samplerNames } from '../../../samplers/index.js';
import { isTestFunctionName, testFunctionNames } from '../../../studies/functions/index.js';
import { OBJECTIVE_NAMES } from '../../../studies/ib/objective.js';
import type { BenchConfig } from './bench.js';
import { seedList } from './experiments.js';
import { type BenchObjectiveSpec, ibSpec } from './objectives.js';

export interface BenchFlags extends StudyFlags {
  samplers?: string;
  trials?: string | number;
  seeds?: number;
  workers?: number;
  gpTrials?: string | number;
}

export const DEFAULT_BUDGETS = [100, 300, 500];
export const DEFAULT_SEEDS = 5;

/** "100,300,500" → [100, 300, 500]; anything else is a UsageError naming `flag`. */
export function parseBudgets(text: string | number, flag = '--trials'): number[] {
  const parts = String(text).split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (p === '' || !Number.isInteger(n) || n < 1) {
      throw new UsageError(`${flag} must be a comma-separated list of positive integers (e.g. 100,300,500), but got '${text}'`);
    }
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

function objectiveSpec(flags: BenchFlags): BenchObjectiveSpec {
  const isFunction = flags.study === 'function' || (flags.study === undefined && flags.objective !== undefined && isTestFunctionName(flags.objective));
  if (isFunction) {
    if (flags.objective === undefined) throw new UsageError(`--study function needs --objective <name>: ${testFunctionNames().join(', ')}`);
    for (const [flag, v] of [['--symbol', flags.symbol], ['--grid', flags.grid], ['--min-trades', flags.minTrades], ['--from', flags.from], ['--to', flags.to]] as const) {
      if (v !== undefined) throw new UsageError(`${flag} belongs to the IB study, not to the test function '${flags.objective}'`);
    }
    if (!isTestFunctionName(flags.objective)) throw new UsageError(`unknown test function '${flags.objective}': choose one of ${testFunctionNames().join(', ')}`);
    return { kind: 'function', name: flags.objective };
  }
  if (flags.study !== undefined && flags.study !== 'ib') {
    throw new UsageError(`--study must be 'ib' (the IB breakout backtest) or 'function' (a test function), but got '${flags.study}'`);
  }
  if (flags.objective !== undefined && !(OBJECTIVE_NAMES as readonly string[]).includes(flags.objective)) {
    throw new UsageError(
      `--objective '${flags.objective}' is neither an IB metric (${OBJECTIVE_NAMES.join(', ')}) nor a test function (${testFunctionNames().join(', ')})`,
    );
  }
  return ibSpec({ symbol: flags.symbol, grid: flags.grid, metric: flags.objective, minTrades: flags.minTrades, from: flags.from, to: flags.to });
}

export function resolveBenchConfig(flags: BenchFlags): BenchConfig & { notes: string[] } {
  const spec = objectiveSpec(flags);
  const notes: string[] = [];
  let samplers: string[];
  if (flags.samplers === undefined) {
    samplers = samplerNames();
    if (spec.kind === 'function') {
      samplers = samplers.filter((s) => s !== 'grid');
      notes.push(`no grid sampler: test function '${spec.name}' has a continuous space and no grid; percentiles are among ${'uniform'} sample points`);
    }
  } else {
    samplers = [...new Set(flags.samplers.split(',').map((s) => s.trim()))];
    if (samplers.length === 0 || samplers.some((s) => s === '')) {
      throw new UsageError(`--samplers must be a comma-separated list of sampler names (${samplerNames().join(', ')}), but got '${flags.samplers}'`);
    }
    for (const s of samplers) samplerEntry(s); // unknown name: a UsageError listing the registered ones
    if (spec.kind === 'function' && samplers.includes('grid')) {
      throw new UsageError(`--samplers grid needs a grid, and test function '${spec.name}' has none: drop grid or bench the IB study`);
    }
  }
  const budgets = parseBudgets(flags.trials ?? DEFAULT_BUDGETS.join(','));
  const seeds = flags.seeds ?? DEFAULT_SEEDS;
  if (!Number.isInteger(seeds) || seeds < 1) throw new UsageError(`--seeds must be a positive integer, but got ${seeds}`);
  const workers = flags.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer, but got ${workers}`);
  let budgetsBySampler: Record<string, number[]> | undefined;
  if (flags.gpTrials !== undefined && samplers.includes('gp')) {
    const gp = parseBudgets(flags.gpTrials, '--gp-trials');
    budgetsBySampler = { gp: budgets.filter((b) => gp.includes(b)) };
    if (budgetsBySampler.gp.length === 0) throw new UsageError(`--gp-trials ${flags.gpTrials} shares no budget with --trials ${budgets.join(',')}`);
  }
  return { spec, samplers, budgets, seeds: seedList(seeds), workers, budgetsBySampler, notes };
}
