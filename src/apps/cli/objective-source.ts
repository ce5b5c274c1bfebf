/**
 * Where the CLI's objective comes from, resolved once from the flags into an objective module
 * (docs/parallel.md) and its options, so that the same run works in this thread or on a pool:
 * - the IB backtest (the default study), with `--objective` naming the metric, optimised in its
 *   direction (studies/ib/metric-catalogue.ts), or `--objective-expr` a formula of metrics;
 * - a test function (`--objective branin`);
 * - a user module (`--objective ./my-objective.mjs`, `.js` or `.ts`).
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { getTestFunction, isTestFunctionName, testFunctionNames } from '../../../studies/functions/index.js';
import { DEFAULT_GRID, type GridName } from '../../../studies/ib/grids.js';
import { type IbObjectiveFunction, OBJECTIVE_NAMES, type ObjectiveName, objectiveOf, objectivesOf } from '../../../studies/ib/objective.js';
import { type IbObjective, parseObjectives } from '../../../studies/ib/objectives.js';
import type { StudyDirection } from '../../frozen-trial.js';
import { checkCrossValidation } from '../../../studies/ib/cross-validation.js';
import { IB_SETTINGS_OFF_WHEN_ABSENT, ibStudySettings } from '../../../studies/ib/study-settings.js';
import type { Aggregate } from '../../../studies/ib/aggregate.js';
import { parseBasket, resolveBasketOptions } from '../../../studies/ib/basket.js';
import { ibBasketSettings } from '../../../studies/ib/basket-settings.js';
import { kebab } from './sampler-flags.js';
import { parseJsonObjectFlag } from './json-object-flag.js';

export interface ObjectiveSource {
  readonly kind: 'ib' | 'function' | 'module';
  /** A short name used in default study names and messages. */
  readonly name: string;
  /** The objective module's file: URL. */
  readonly module: string;
  /** Given to the module's prepareShared and setup. */
  readonly moduleOptions: Record<string, unknown>;
  /** Known optimum, for test functions. */
  readonly optimum?: number;
  /** What the study was configured with, stored on the study so a resume can check it. */
  readonly config: Record<string, unknown>;
  /** Config keys whose absence from a stored configuration means "off" (cli-study.ts). */
  readonly offWhenAbsent?: readonly string[];
  /** The direction the objective implies (an IB metric's, from the catalogue); `--direction` overrides it. */
  readonly direction?: StudyDirection;
  /** With several objectives (IB `--objectives`): each one's direction, and their names (stored as the study's metric names). */
  readonly directions?: StudyDirection[];
  readonly metricNames?: string[];
}

/** The flags that say what is optimised (shared by optimize and bench). */
export interface StudyFlags {
  study?: string;
  objective?: string;
  /** IB: a formula of metric names instead of one metric (studies/ib/objective-expression.ts). */
  objectiveExpr?: string;
  /** IB: several metrics at once, `sharpe,max_drawdown` (studies/ib/objectives.ts). */
  objectives?: string;
  symbol?: string;
  grid?: string;
  minTrades?: number;
  from?: string;
  to?: string;
  /** IB: the cross-validated objective's folds and aggregate (studies/ib/cross-validation.ts). */
  folds?: string;
  aggregate?: string;
  shuffleFolds?: boolean;
  /** IB: one study over several symbols (studies/ib/basket.ts), their values combined by --aggregate. */
  basket?: string;
}

export interface ObjectiveFlags extends StudyFlags {
  moduleOptions?: string;
}

const IB_ONLY_FLAGS = ['symbol', 'grid', 'minTrades', 'from', 'to', 'folds', 'aggregate', 'shuffleFolds', 'basket', 'objectiveExpr', 'objectives'] as const;
const MODULE_FILE = /\.(m?js|c?js|m?ts|c?ts)$/i;

/** A module of ours, built (dist/) or, when running from the sources, the TypeScript file. */
function ownModule(relative: string): string {
  const js = new URL(`${relative}.js`, import.meta.url);
  return existsSync(fileURLToPath(js)) ? js.href : new URL(`${relative}.ts`, import.meta.url).href;
}

export const IB_MODULE = ownModule('../../../studies/ib/objective');
export const FUNCTIONS_MODULE = ownModule('../../../studies/functions/objective');
export const BASKET_MODULE = ownModule('../../../studies/ib/basket');

export function isModulePath(spec: string): boolean {
  return MODULE_FILE.test(spec) || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/') || spec.startsWith('file:');
}

/** The objective of a run; `symbol` overrides `--symbol` (one study per symbol of `--symbols`). */
export function resolveObjectiveSource(flags: ObjectiveFlags, symbol?: string): ObjectiveSource {
  const objective = flags.objective;
  const study =
    flags.study ?? (objective !== undefined && isModulePath(objective) ? 'module' : objective !== undefined && isTestFunctionName(objective) ? 'function' : 'ib');
  if (study === 'ib' && flags.basket !== undefined) return basketSource(flags);
  if (study === 'ib') return ibSource({ ...flags, symbol: symbol ?? flags.symbol });
  rejectIbFlags(flags, objective ?? '');
  if (study === 'function') {
    if (objective === undefined) throw new UsageError(`--study function needs --objective <name>: ${testFunctionNames().join(', ')}`);
    const fn = getTestFunction(objective);
    return {
      kind: 'function',
      name: fn.name,
      module: FUNCTIONS_MODULE,
      moduleOptions: { name: fn.name },
      optimum: fn.optimum,
      config: { study: 'function', objective: fn.name },
    };
  }
  if (study === 'module') {
    if (objective === undefined) throw new UsageError('--study module needs --objective <path of a .mjs, .js or .ts file>');
    const path = objective.startsWith('file:') ? fileURLToPath(objective) : resolve(objective);
    if (!existsSync(path)) throw new UsageError(`--objective ${objective}: no such file (looked for ${path}); give the path of a .mjs, .js or .ts objective module`);
    const moduleOptions = parseJsonObjectFlag('--module-options', flags.moduleOptions, '{"symbol": "GER40"}');
    return {
      kind: 'module',
      name: basename(path, extname(path)),
      module: new URL(`file://${path}`).href,
      moduleOptions,
      config: { study: 'module', module: path, moduleOptions },
    };
  }
  throw new UsageError(`--study must be 'ib' (the IB breakout backtest), 'function' (a test function) or 'module' (your objective module), but got '${study}'`);
}

function ibSource(flags: ObjectiveFlags): ObjectiveSource {
  const metric = flags.objective ?? 'sharpe';
  if (flags.objectiveExpr === undefined && !(OBJECTIVE_NAMES as readonly string[]).includes(metric)) {
    throw new UsageError(
      `--objective '${metric}' is neither an IB metric (${OBJECTIVE_NAMES.join(', ')}), a test function (${testFunctionNames().join(', ')}) nor a module path (./file.mjs)`,
    );
  }
  const symbol = flags.symbol ?? 'GER40';
  const grid = (flags.grid ?? DEFAULT_GRID) as GridName;
  const aggregate = checkCrossValidation(flags.folds, flags.aggregate);
  if (flags.shuffleFolds && flags.folds === undefined) throw new UsageError('--shuffle-folds orders the folds of a cross-validated objective: give --folds too (e.g. --folds kfold:k=10)');
  // Checks the expression (syntax, metric names) or the metric, and gives the study's direction.
  const chosen = objectiveOf({ objective: flags.objective as ObjectiveName | undefined, objectiveExpr: flags.objectiveExpr });
  const several = objectivesOf({ objective: flags.objective as ObjectiveName | undefined, objectiveExpr: flags.objectiveExpr, objectives: flags.objectives, folds: flags.folds });
  const expr = flags.objectiveExpr;
  const choice = { symbol, grid, objective: metric as ObjectiveName, objectiveExpr: expr, objectives: flags.objectives, minTrades: flags.minTrades, from: flags.from, to: flags.to, folds: flags.folds, aggregate };
  const label = objectiveLabel(flags);
  return {
    kind: 'ib',
    // A cross-validated study searches another objective: its own default name.
    name: `ib-${symbol}-${grid}-${label}${flags.folds !== undefined ? '-cv' : ''}`,
    module: IB_MODULE,
    // The fold order changes no trial's value (only which folds a pruned trial ran): not in the config.
    moduleOptions: { ...choice, objective: expr === undefined && !several ? metric : undefined, shuffleFolds: flags.shuffleFolds },
    config: { ...ibStudySettings(choice) },
    offWhenAbsent: IB_SETTINGS_OFF_WHEN_ABSENT,
    ...objectiveDirections(chosen, several),
  };
}

/**
 * What a default study name says of the objective: the metric, the metrics joined by '+', or a
 * digest of the expression (another formula, another study).
 */
function objectiveLabel(flags: ObjectiveFlags): string {
  if (flags.objectives !== undefined) return parseObjectives(flags.objectives).map((o) => o.name).join('+');
  if (flags.objectiveExpr !== undefined) return `expr-${createHash('sha256').update(flags.objectiveExpr).digest('hex').slice(0, 8)}`;
  return flags.objective ?? 'sharpe';
}

/** The study's direction, or with several objectives each one's direction and name. */
function objectiveDirections(chosen: IbObjectiveFunction, several: readonly IbObjective[] | null): Pick<ObjectiveSource, 'direction' | 'directions' | 'metricNames'> {
  if (!several) return { direction: chosen.direction };
  return { direction: several[0].direction, directions: several.map((o) => o.direction), metricNames: several.map((o) => o.name) };
}

/** `--basket GER40,XAUUSD`: one study, each trial on every symbol (studies/ib/basket.ts). */
function basketSource(flags: ObjectiveFlags): ObjectiveSource {
  for (const [flag, given] of [['--symbol', flags.symbol], ['--folds', flags.folds], ['--shuffle-folds', flags.shuffleFolds]] as const) {
    if (given !== undefined) throw new UsageError(`--basket runs every trial on each of its symbols over their whole date range: it does not take ${flag} (for separate studies per symbol, use --symbols)`);
  }
  const symbols = parseBasket(flags.basket!);
  const grid = (flags.grid ?? DEFAULT_GRID) as GridName;
  const scoring = { objective: flags.objective, objectiveExpr: flags.objectiveExpr, objectives: flags.objectives };
  const options = { basket: symbols, grid, ...scoring, minTrades: flags.minTrades, from: flags.from, to: flags.to, aggregate: flags.aggregate as Aggregate | undefined };
  // Checks every option (objective, grid, aggregate, min trades) before any data is loaded.
  const resolved = resolveBasketOptions(options);
  const scored = { ...scoring, objective: flags.objective as ObjectiveName | undefined };
  const choice = { symbols, aggregate: resolved.aggregate, ...scored, grid, minTrades: flags.minTrades, from: flags.from, to: flags.to };
  return {
    kind: 'ib',
    name: `ib-basket-${symbols.join('-')}-${grid}-${objectiveLabel(flags)}-${resolved.aggregate}`,
    module: BASKET_MODULE,
    moduleOptions: { ...options, aggregate: resolved.aggregate },
    config: { ...ibBasketSettings(choice) },
    ...objectiveDirections(objectiveOf(scored), objectivesOf(scored)),
  };
}

function rejectIbFlags(flags: ObjectiveFlags, objective: string): void {
  for (const flag of IB_ONLY_FLAGS) {
    if (flags[flag] !== undefined) throw new UsageError(`--${kebab(flag)} belongs to the IB study, not to the objective '${objective}'`);
  }
}

