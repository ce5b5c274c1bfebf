/**
 * `studyopt optimize --walk-forward rolling:is=6m,oos=1m`: walk-forward optimisation of the IB
 * study (studies/ib/walk-forward.ts) from the command line.
 *
 * The run is a parent study, which records the windows and, once every window is searched, the
 * walk-forward result (WALK_FORWARD_KEY), and one ordinary IB study per window, named
 * `<parent>-w01`, `<parent>-w02`, ..., limited to the window's in-sample dates. `--trials` is
 * each window's total. The windows' studies run side by side on the worker pool like
 * `--symbols`; re-running the command continues each where it stopped, then evaluates.
 */
import { UsageError } from '../../errors.js';
import type { FrozenTrial } from '../../frozen-trial.js';
import type { Sampler } from '../../sampler.js';
import type { Storage } from '../../storage/storage.js';
import type { Study } from '../../study.js';
import { formatPercent } from '../../progress.js';
import { robustRanking } from '../../validation/robust-pick.js';
import { type Selection, parseSelection } from './selection.js';
import type { ObjectiveName } from '../../../studies/ib/objective.js';
import { ibSettingsOf } from '../../../studies/ib/study-settings.js';
import { WALK_FORWARD_KEY, type WalkForwardResult, type WalkForwardWindow, evaluateWalkForward, walkForwardWindows } from '../../../studies/ib/walk-forward.js';
import { CLI_CONFIG_KEY, openCliStudy } from './cli-study.js';
import { type ObjectiveFlags, type ObjectiveSource, resolveObjectiveSource } from './objective-source.js';

export interface WalkForwardFlags extends ObjectiveFlags {
  walkForward: string;
  /** Which of a window's trials trades out of sample: its best (default) or its robust pick. */
  select?: string;
  symbols?: string;
  studyName?: string;
  fresh: boolean;
}

export interface WalkForwardPlan {
  readonly parent: Study;
  readonly spec: string;
  readonly select: Selection;
  readonly windows: readonly WalkForwardWindow[];
  /** Window i's study name. */
  studyName(i: number): string;
  /** Window i's flags: the run's, with the window's in-sample dates. */
  flags(i: number): ObjectiveFlags;
}

/** Checks the flags, cuts the windows and opens (or continues) the parent study. */
export function openWalkForward(argv: WalkForwardFlags, storage: Storage, samplerName: string, sampler: Sampler): WalkForwardPlan {
  if (argv.symbols !== undefined) throw new UsageError('--walk-forward runs one symbol: give --symbol, not --symbols (run one command per symbol)');
  if (argv.folds !== undefined) throw new UsageError('give --walk-forward (a search per window) or --folds (one search of every fold), not both');
  const source: ObjectiveSource = resolveObjectiveSource(argv);
  if (source.kind !== 'ib') throw new UsageError('--walk-forward works on the IB study (its data is cut into windows by trading day): leave out --objective <function or module>');
  if (argv.objectiveExpr !== undefined) throw new UsageError('--walk-forward compares each window\'s in- and out-of-sample values of one metric: give --objective <metric>, not --objective-expr');
  const symbol = source.config['symbol'] as string;
  const windows = walkForwardWindows(argv.walkForward, symbol, { from: argv.from, to: argv.to });
  const { study: parent } = openCliStudy({
    storage,
    studyName: argv.studyName ?? `${source.name}-wf-${samplerName}`,
    fresh: argv.fresh,
    direction: source.direction ?? 'maximize',
    sampler,
    config: { ...source.config, walkForward: argv.walkForward, windows },
    offWhenAbsent: source.offWhenAbsent,
  });
  const digits = String(windows.length).length < 2 ? 2 : String(windows.length).length;
  return {
    parent,
    spec: argv.walkForward,
    select: parseSelection(argv.select),
    windows,
    studyName: (i) => `${parent.studyName}-w${String(i + 1).padStart(digits, '0')}`,
    flags: (i) => ({ ...argv, from: windows[i].inSample.from, to: windows[i].inSample.to }),
  };
}

/**
 * Once every window's study has a best trial: trades each on its out-of-sample days, stitches
 * them, stores the result on the parent study and returns it. Null while a window has none.
 */
export function finishWalkForward(plan: WalkForwardPlan, windowStudies: readonly Study[]): WalkForwardResult | null {
  const searched = [];
  for (const [i, study] of windowStudies.entries()) {
    const pick = pickOf(study, plan.select);
    if (!pick) return null;
    const settings = ibSettingsOf(study.systemAttrs)!;
    searched.push({ ...plan.windows[i], studyName: study.studyName, settings, bestTrial: pick.number, bestParams: pick.params, inSampleValue: pick.values![0] });
  }
  const objective = (plan.parent.systemAttrs[CLI_CONFIG_KEY] as { objective: ObjectiveName }).objective;
  const result = evaluateWalkForward(plan.spec, objective, searched, plan.select);
  plan.parent.setSystemAttr(WALK_FORWARD_KEY, result);
  return result;
}

/** The window's trial that trades out of sample: its best, or its robust pick (the best if none has neighbours). */
function pickOf(study: Study, select: Selection): FrozenTrial | null {
  let best: FrozenTrial;
  try {
    best = study.bestTrial;
  } catch {
    return null;
  }
  if (select === 'best') return best;
  return robustRanking(study.getTrials({ states: ['COMPLETE'] }), { direction: study.direction, limit: 1 }).robust?.trial ?? best;
}

/** The walk-forward result as a trader reads it: a line per window, then the stitched run. */
export function formatWalkForward(r: WalkForwardResult): string {
  const eff = (e: number | null): string => (e === null ? 'n/a' : formatPercent(e));
  const value = (v: number): string => String(Number(v.toFixed(4)));
  const lines = [`walk-forward ${r.walkForward} (${r.objective}): ${r.windows.length} windows, each trading its ${r.select === 'robust' ? 'robust pick (the best neighbourhood-smoothed trial)' : 'best trial'}`];
  lines.push('window  in-sample                  out-of-sample              IS value  OOS value  efficiency  trades  best parameters');
  for (const w of r.windows) {
    lines.push(
      `${String(w.index + 1).padStart(6)}  ${w.inSample.from} to ${w.inSample.to}   ${w.outOfSample.from} to ${w.outOfSample.to}   ${value(w.inSampleValue).padStart(8)}  ${value(w.outOfSampleValue).padStart(9)}  ${eff(w.efficiency).padStart(10)}  ${String(w.outOfSampleTrades).padStart(6)}  ${JSON.stringify(w.params)}`,
    );
  }
  const m = r.stitched.metrics;
  lines.push(
    `stitched out-of-sample ${r.stitched.from} to ${r.stitched.to} (${r.stitched.days} trading days): ${r.objective} ${value(r.stitched.value)}, ${m.total_trades} trades, total R ${value(m.total_r)}, win rate ${m.winrate}%, max drawdown ${m.max_drawdown} R`,
  );
  lines.push(`walk-forward efficiency (out-of-sample over in-sample ${r.objective}): ${eff(r.efficiency)}`);
  if (r.probabilisticSharpe !== null && r.probabilisticSharpe !== undefined) {
    lines.push(`probabilistic Sharpe ratio of the stitched out-of-sample trades: ${r.probabilisticSharpe.toFixed(3)} (the probability that their true Sharpe ratio is above 0)`);
  }
  return `${lines.join('\n')}\n`;
}
