/**
 * `studyopt best [--study-name X] [--json]`: the best trial of a study (the Pareto front for
 * several objectives). Reads through the value index, so it answers at once on any study size.
 * The study name may be left out when the file holds one study. Numbers print exactly as in
 * --json (the shortest form that reads back to the same number), never rounded.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import type { FrozenTrial, StudyDirection } from '../../../frozen-trial.js';
import { paretoFront } from '../../../pareto.js';
import { type ParetoPick, frontByFirstObjective, objectiveNames, pickFromFront } from '../../../pareto-pick.js';
import { defaultReferencePoint, hypervolumeHistory } from '../../../hypervolume.js';
import { isFeasible } from '../../../frozen-trial.js';
import { dataOfTrial, dataVersionsOf, describeData } from '../../../study-data.js';
import { type IbStudySettings, engineParamsOf, ibSettingsOf } from '../../../../studies/ib/study-settings.js';
import { type IbOverfitting, ibOverfitting } from '../../../../studies/ib/overfitting.js';
import { WALK_FORWARD_KEY, type WalkForwardResult } from '../../../../studies/ib/walk-forward.js';
import { formatWalkForward } from '../walk-forward.js';
import { parseSelection } from '../selection.js';
import { type RobustEntry, type RobustRanking, robustRanking } from '../../../validation/robust-pick.js';
import { STUDY_NAME_OPTION, type StorageArgs, formatDate, metricNames, openStorage, resolveStudy, toJson, toTable, withStorage } from './storage-options.js';
import { exactText, paramLines } from '../param-lines.js';
import { shellQuote } from '../shell-quote.js';
import { basketBreakdownLines, isBasketAttr } from '../basket-breakdown.js';
import { ibBasketSettingsOf } from '../../../../studies/ib/basket-settings.js';

interface BestArgs extends StorageArgs {
  studyName?: string;
  select?: string;
  pick?: string;
  json: boolean;
}

/** What ran a study's trials besides their parameters: the IB settings, and the data. */
interface StudyContext {
  name: string;
  storage: string;
  systemAttrs: Record<string, unknown>;
  ib: IbStudySettings | null;
}

/**
 * A trial as --json gives it. For the IB study, `params` are the complete engine parameters
 * (the trial's own, plus those the grid fixes or a condition turns off), exactly what
 * `studyopt backtest --params` takes; `trialParams` are the suggested ones, as Optuna stores them.
 */
function describeTrial(t: FrozenTrial, names: string[] | null, ctx: StudyContext): Record<string, unknown> {
  const data = dataOfTrial(ctx.systemAttrs, t.number);
  return {
    number: t.number,
    values: t.values,
    ...(names ? { metricNames: names } : {}),
    params: ctx.ib ? engineParamsOf(ctx.ib, t.params) : t.params,
    ...(ctx.ib ? { trialParams: t.params } : {}),
    userAttrs: t.userAttrs,
    datetimeStart: formatDate(t.datetimeStart),
    datetimeComplete: formatDate(t.datetimeComplete),
    data,
    ...(ctx.ib
      ? {
          backtest: {
            symbol: ctx.ib.symbol,
            from: ctx.ib.from,
            to: ctx.ib.to,
            balance: ctx.ib.engine.initialBalance,
            risk: ctx.ib.engine.riskPct,
            command: rerunCommand(ctx, t.number),
          },
        }
      : {}),
  };
}

function rerunCommand(ctx: StudyContext, trialNumber: number): string {
  return `studyopt backtest --study-name ${shellQuote(ctx.name)} --storage ${shellQuote(ctx.storage)} --trial ${trialNumber}`;
}

const command: CommandModule<object, BestArgs> = {
  command: 'best',
  describe: 'show the best trial of a study (the Pareto front for several objectives)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('select', { type: 'string', describe: 'best (the highest value, default) or robust: the peak and the best neighbourhood-smoothed trial (a plateau) side by side' })
      .option('pick', { type: 'string', describe: "several objectives: choose one trial of the Pareto front: knee, or [max|min] <name> [where <name> <op> <number> [and ...]], e.g. 'max sharpe where max_drawdown < 10' (docs/multi-objective.md)" })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<BestArgs>,
  handler: (argv: ArgumentsCamelCase<BestArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const { id, name } = resolveStudy(storage, argv.studyName);
      const directions = storage.getStudyDirections(id);
      const systemAttrs = storage.getStudySystemAttrs(id);
      const names = metricNames(systemAttrs, directions.length);
      const ctx: StudyContext = { name, storage: argv.storage, systemAttrs, ib: ibSettingsOf(systemAttrs) };
      const best =
        directions.length === 1
          ? [storage.getBestTrial(id)].filter((t): t is FrozenTrial => t !== null)
          : paretoFront(storage.getAllTrials(id, ['COMPLETE']).filter(isFeasible), directions);
      const walkForward = systemAttrs[WALK_FORWARD_KEY] as WalkForwardResult | undefined;
      if (best.length === 0 && walkForward) {
        // A walk-forward's parent study: its result is the windows' picks, traded out of sample.
        process.stdout.write(argv.json ? `${toJson({ study: name, walkForward })}\n` : formatWalkForward(walkForward));
        return;
      }
      if (best.length === 0) throw new UsageError(`study '${name}' has no completed feasible trial yet`);
      if (argv.pick !== undefined && directions.length === 1) {
        throw new UsageError(`--pick chooses among the Pareto front of a study with several objectives; study '${name}' has one (${directions[0]}${names ? ` ${names[0]}` : ''}), so its best trial is already one: leave --pick out`);
      }
      if (parseSelection(argv.select) === 'robust') {
        if (directions.length > 1) throw new UsageError('--select robust ranks by one objective: this study has several (its best is the Pareto front)');
        const ranking = robustRanking(storage.getAllTrials(id, ['COMPLETE']), { direction: directions[0], limit: 1 });
        process.stdout.write(argv.json ? `${toJson(robustJson(ranking, names, ctx))}\n` : robustText(ranking, ctx));
        return;
      }
      if (directions.length > 1) {
        // Several objectives: the front as a table, its hypervolume, and the trial --pick chooses.
        const all = storage.getAllTrials(id);
        const front = frontByFirstObjective(best, directions);
        // Null only when no front value is finite (an objective returned ±Infinity).
        const reference = defaultReferencePoint(all, directions);
        const volume = reference ? hypervolumeHistory(front, directions, reference).at(-1)!.hypervolume : null;
        let picked: ParetoPick | null = null;
        try {
          picked = argv.pick === undefined ? null : pickFromFront(front, argv.pick, { directions, metricNames: names });
        } catch (err) {
          throw err instanceof UsageError ? new UsageError(`--pick: ${err.message}`) : err;
        }
        if (argv.json) {
          const out = { study: name, directions, metricNames: names, front: front.map((t) => describeTrial(t, names, ctx)), hypervolume: reference ? { value: volume, reference } : null, pick: picked ? describeTrial(picked.trial, names, ctx) : null, rule: argv.pick ?? null };
          process.stdout.write(`${toJson(out)}\n`);
          return;
        }
        const objectives = objectiveNames(directions, names);
        const lines = [`Pareto front of study '${name}': ${front.length} trial${front.length === 1 ? '' : 's'} (${directions.map((d, i) => `${d} ${objectives[i]}`).join(', ')}), by ${objectives[0]}, best first`];
        lines.push(...toTable(['trial', ...objectives], front.map((t) => ({ trial: t.number, ...Object.fromEntries(objectives.map((o, i) => [o, exactText(t.values![i])])) }))).trimEnd().split('\n').map((l) => `  ${l}`));
        lines.push(
          reference
            ? `hypervolume ${exactText(volume)} at the reference point (${objectives.map((o, i) => `${o} ${exactText(reference[i])}`).join(', ')}): the worst value of each objective among the complete feasible trials, 10% of its range further out`
            : 'hypervolume: none (no front trial has finite values in every objective)',
        );
        if (picked) {
          lines.push(`picked by '${argv.pick}' (among ${picked.eligible} front trial${picked.eligible === 1 ? '' : 's'}${picked.distance !== undefined ? `; ${exactText(Number(picked.distance.toFixed(6)))} from the ideal point, each objective scaled to [0, 1] over them` : ''}):`);
          lines.push(...trialLines(picked.trial, names, directions, ctx));
        } else {
          lines.push(`choose one with --pick: knee (the best compromise), or e.g. --pick '${pickExample(objectives, directions)}' (docs/multi-objective.md)`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      // How likely the best is luck: single-objective IB studies (studies/ib/overfitting.ts).
      const overfitting = directions.length === 1 && ctx.ib ? ibOverfitting(storage, id, { best: best[0] }) : null;
      if (argv.json) {
        // The CSCV's scatter pairs are for the report; --json keeps their line (pbo.degradation).
        const statistics = overfitting ? { ...overfitting, pbo: overfitting.pbo ? { ...overfitting.pbo, pairs: undefined } : null } : null;
        const out = directions.length === 1 ? { ...describeTrial(best[0], names, ctx), ...(statistics ? { overfitting: statistics } : {}) } : best.map((t) => describeTrial(t, names, ctx));
        process.stdout.write(`${toJson(out)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const t of best) lines.push(...trialLines(t, names, directions, ctx));
      if (overfitting) lines.push(...overfittingLines(overfitting));
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      storage.close();
    }
  },
};

export default command;

/** A trial in full: its values, parameters, user attributes, data, and for IB its settings and re-run command. */
function trialLines(t: FrozenTrial, names: string[] | null, directions: readonly StudyDirection[], ctx: StudyContext): string[] {
  const lines: string[] = [];
  const values = t.values!.map((v, i) => `${names?.[i] ?? (directions.length === 1 ? 'value' : objectiveNames(directions)[i])} ${exactText(v)}`).join(', ');
  lines.push(`trial ${t.number}: ${values} (${directions.join(', ')})`);
  lines.push(...paramLines(t.params, ctx.ib));
  for (const [k, v] of Object.entries(t.userAttrs)) if (!isBasketAttr(k)) lines.push(`  [${k}] ${exactText(v)}`);
  lines.push(...basketBreakdownLines(t.userAttrs));
  const basket = ibBasketSettingsOf(ctx.systemAttrs);
  if (basket) lines.push(`  re-run it on one symbol: ${basket.symbols.map((s) => `${rerunCommand(ctx, t.number)} --symbol ${s}`).join('; ')}`);
  const data = dataOfTrial(ctx.systemAttrs, t.number);
  lines.push(`  data: ${data ? describeData(data) : 'not recorded (the study predates data fingerprints)'}`);
  const latest = dataVersionsOf(ctx.systemAttrs).at(-1);
  if (latest && data && latest.fingerprint.hash !== data.hash) {
    lines.push(`  note: the study mixes data: trials from #${latest.firstTrial} on ran on ${describeData(latest.fingerprint)}`);
  }
  if (ctx.ib) {
    const range = ctx.ib.from || ctx.ib.to ? `${ctx.ib.from ?? 'the start'} to ${ctx.ib.to ?? 'the end'}` : 'every day of the data';
    lines.push(`  settings: ${ctx.ib.symbol}, ${ctx.ib.grid} grid, ${range}, balance ${ctx.ib.engine.initialBalance}, risk ${ctx.ib.engine.riskPct}% per trade`);
    lines.push(`  re-run it trade by trade: ${rerunCommand(ctx, t.number)}`);
  }
  return lines;
}

/** A --pick example in the study's own names: the first objective's best, with the second as a condition. */
function pickExample(objectives: readonly string[], directions: readonly StudyDirection[]): string {
  const sense = (i: number) => (directions[i] === 'maximize' ? 'max' : 'min');
  return `${sense(0)} ${objectives[0]} where ${objectives[1]} ${directions[1] === 'maximize' ? '>' : '<'} <number>`;
}

function robustJson(r: RobustRanking, names: string[] | null, ctx: StudyContext): Record<string, unknown> {
  const entry = (e: RobustEntry | null) => (e ? { ...describeTrial(e.trial, names, ctx), smoothed: e.smoothed, neighbours: e.neighbours, infeasibleNeighbours: e.infeasibleNeighbours } : null);
  return { method: r.method, methodReason: r.methodReason, peak: entry(r.peak), robust: entry(r.robust) };
}

/** The peak and the plateau side by side: their values, neighbourhoods and parameters. */
function robustText(r: RobustRanking, ctx: StudyContext): string {
  const lines = [`robust pick (${r.method} neighbours: ${r.methodReason})`];
  const robust = r.robust;
  const describe = (e: RobustEntry) => `trial ${e.trial.number}: value ${exactText(e.value)}, smoothed ${e.smoothed === null ? 'n/a' : exactText(Number(e.smoothed.toFixed(6)))} over ${e.neighbours} neighbours`;
  lines.push(`  peak (the best value):      ${describe(r.peak)}`);
  lines.push(robust ? `  plateau (the best smoothed): ${describe(robust)}` : '  plateau: no trial has enough neighbours to smooth (run more trials, or a grid)');
  if (robust) {
    const peakParams = ctx.ib ? engineParamsOf(ctx.ib, r.peak.trial.params) : r.peak.trial.params;
    const robustParams = ctx.ib ? engineParamsOf(ctx.ib, robust.trial.params) : robust.trial.params;
    const keys = [...new Set([...Object.keys(peakParams), ...Object.keys(robustParams)])];
    const w = Math.max(...keys.map((k) => k.length));
    lines.push(`  ${'parameter'.padEnd(w)}  ${'peak'.padEnd(14)}  plateau`);
    for (const k of keys) {
      const a = (peakParams as Record<string, unknown>)[k];
      const b = (robustParams as Record<string, unknown>)[k];
      lines.push(`  ${k.padEnd(w)}  ${String(a ?? '—').padEnd(14)}  ${String(b ?? '—')}${JSON.stringify(a) === JSON.stringify(b) ? '' : '   *'}`);
    }
    if (ctx.ib) lines.push(`  re-run the plateau trade by trade: ${rerunCommand(ctx, robust.trial.number)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The overfitting statistics in plain words, a line or two each (docs/validation.md explains them). */
export function overfittingLines(o: IbOverfitting): string[] {
  const p = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  const sr = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  const lines = ['how likely the best is luck (docs/validation.md):'];
  lines.push(
    `  deflated Sharpe ratio ${p(o.deflated.dsr)}: the probability that trial ${o.bestTrial}'s true Sharpe ratio beats the best that ${o.deflated.trials.toLocaleString('en-US')} tries of no skill would find ` +
      `(${sr(o.deflated.expectedMaxSharpe)} per trade; the trial's is ${sr(o.sharpe)} over ${o.trades} trades, skewness ${sr(o.skewness)}, kurtosis ${sr(o.kurtosis)})`,
  );
  if (o.effective) {
    lines.push(
      `    counting correlated trials once: ${o.effective.trials.toFixed(1)} effective trials (the top ${o.effective.fromTrials} trials' daily returns correlate ${o.effective.averageCorrelation.toFixed(2)} on average): ${p(o.effective.dsr)}`,
    );
  }
  lines.push(`  probabilistic Sharpe ratio ${p(o.psr)}: the probability that its true Sharpe ratio is above 0, were it the only try`);
  if (o.pbo) {
    lines.push(
      `  probability of backtest overfitting ${p(o.pbo.value)}: how often the pick of the top ${o.pbo.trials} trials on half of the ${o.pbo.days} days ranked in the lower half on the other half ` +
        `(${o.pbo.blocks} blocks, ${o.pbo.combinations.toLocaleString('en-US')} splits; its out-of-sample Sharpe ratio fell below 0 in ${(o.pbo.probabilityOfLoss * 100).toFixed(1)}% of them)`,
    );
  }
  for (const note of o.notes) lines.push(`  (${note})`);
  return lines;
}
