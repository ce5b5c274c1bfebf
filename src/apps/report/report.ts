/**
 * `studyopt report`: one self-contained HTML file for a stored study (and, optionally, a bench
 * result); `renderBenchReport` for `studyopt bench --html`.
 */
import type { BenchResult } from '../bench/bench.js';
import type { ParamValue } from '../../distributions.js';
import type { FrozenTrial, StudyDirection } from '../../frozen-trial.js';
import { bestOf } from '../../study.js';
import { type DataVersion, dataOfTrial, dataVersionsOf, shortHash } from '../../study-data.js';
import type { Storage } from '../../storage/storage.js';
import { formatNumber, metricNames } from '../cli/commands/storage-options.js';
import { objectiveNames } from '../../pareto-pick.js';
import { kneeTrial, paretoSections } from './pareto-report.js';
import { benchSections } from './bench-charts.js';
import { DEFAULT_MIN_TRADES } from '../../../studies/ib/ranking.js';
import { type IbReplay, ibSections } from './ib-report.js';
import { type IbStudySettings, ibSettingsOf, rerunIbTrial } from '../../../studies/ib/study-settings.js';
import { escapeHtml } from './escape.js';
import { basketSections } from './basket-report.js';
import { ibBasketSettingsOf } from '../../../studies/ib/basket-settings.js';
import { ibOverfitting } from '../../../studies/ib/overfitting.js';
import { WALK_FORWARD_KEY, type WalkForwardResult } from '../../../studies/ib/walk-forward.js';
import { overfittingSections, walkForwardSections } from './validation-report.js';
import { importanceSection, observationsOf } from './importance.js';
import { type Section, htmlTable, renderPage } from './page.js';
import { contourChart, historyChart, parallelCoordinatesChart, sliceCharts, type StudyView } from './study-charts.js';
import { sampleTrials } from './trial-sample.js';
import { samplersUsedHtml } from './samplers-used.js';

export interface StudyReportInput {
  storage: Storage;
  studyId: number;
  bench?: BenchResult;
  /** Slice plots for at most this many parameters (the most important first). Default 9. */
  maxSlices?: number;
  /**
   * Read at most about this many trials: a study with more draws its charts from the best trials
   * and a uniform sample of the rest (trial-sample.ts), each section saying so. Default: every
   * trial (the report of a study under the cap is the same either way).
   */
  maxTrials?: number;
}

export function renderStudyReport(input: StudyReportInput): string {
  const { storage, studyId } = input;
  const study = storage.getAllStudies().find((s) => s.studyId === studyId)!;
  const name = study.studyName;
  const direction: StudyDirection = study.directions[0];
  // A big study: a labelled sample, its history's best line over every trial's value.
  const sample = input.maxTrials !== undefined && study.nTrials > input.maxTrials ? sampleTrials(storage, studyId, { maxTrials: input.maxTrials }) : null;
  const trials = sample ? sample.complete : storage.getAllTrials(studyId);
  const sampled = (intro?: string): string | undefined => (sample ? [`Drawn ${sample.label}.`, intro].filter(Boolean).join(' ') : intro);
  const complete = trials.filter((t) => t.state === 'COMPLETE' && t.values && t.values.length > 0).sort((a, b) => a.number - b.number);
  const { observations, distributions } = observationsOf(complete);
  const systemAttrs = storage.getStudySystemAttrs(studyId);
  // Several objectives: the views below show the first one, named; the "best" trial is the front's knee.
  const multi = study.directions.length > 1;
  const objectives = objectiveNames(study.directions, metricNames(systemAttrs, study.directions.length));
  const view: StudyView = { direction, complete, distributions, ...(multi ? { objective: 0, objectiveName: objectives[0] } : {}) };
  const best = multi ? kneeTrial(complete, study.directions) : bestOf(complete, direction);

  // fANOVA and PED-ANOVA side by side; the other sections take fANOVA's order.
  const evaluated = importanceSection(observations, distributions, direction);
  const importances = sample && evaluated.section ? { ...evaluated, section: { ...evaluated.section, intro: sampled(evaluated.section.intro) } } : evaluated;
  const ranked = importances.ranked;
  const sections: Section[] = [];
  sections.push({
    title: 'Optimization history',
    charts: complete.length
      ? multi
        ? study.directions.map((d, k) => historyChart({ ...view, direction: d, objective: k, objectiveName: objectives[k], bestSoFar: sample?.bestSoFar[k] }))
        : [historyChart({ ...view, bestSoFar: sample?.bestSoFar[0] })]
      : [],
    intro: complete.length
      ? sample
        ? `Dots: the trials drawn ${sample.label}; the line: the best feasible value so far over all ${sample.ofComplete.toLocaleString('en-US')} complete trials.`
        : undefined
      : 'No completed trial yet.',
  });
  if (multi && complete.length) sections.push(...paretoSections({ trials, directions: study.directions, metricNames: metricNames(systemAttrs, study.directions.length) }).map((x) => ({ ...x, intro: sampled(x.intro) })));
  if (importances.section) sections.push(importances.section);
  if (ranked.length && complete.length) {
    sections.push({ title: 'Slice plots', intro: sampled(`${multi ? `The first objective (${objectives[0]})` : 'Objective value'} against each parameter, most important first; darker dots are later trials.`), charts: sliceCharts(view, ranked.slice(0, input.maxSlices ?? 9)) });
    const top = ranked.slice(0, 3);
    const pairs: [string, string][] = [];
    for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) pairs.push([top[i], top[j]]);
    if (pairs.length) sections.push({ title: 'Contour plots', intro: sampled('The three most important parameters, pairwise.'), charts: pairs.map(([a, b]) => contourChart(view, a, b)) });
    sections.push({ title: 'Parallel coordinates', intro: sampled(), charts: [parallelCoordinatesChart(view, ranked.slice(0, 12))] });
  }
  const walkForward = systemAttrs[WALK_FORWARD_KEY] as WalkForwardResult | undefined;
  // A walk-forward's parent study holds no trials of its own: its windows' result is the report.
  if (walkForward && complete.length === 0) sections.splice(0, sections.length, ...walkForwardSections(walkForward));
  const ib = ibSettingsOf(systemAttrs);
  if (ib && best && study.directions.length === 1) {
    try {
      const overfitting = ibOverfitting(storage, studyId, { best });
      if (overfitting) sections.push(...overfittingSections(overfitting));
    } catch (err) {
      sections.push({ title: 'Validation: is the best trial luck?', intro: `The statistics could not be computed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  if (ib && best) {
    let replay: IbReplay | null = null;
    try {
      // With the study's stored settings, refusing data other than the trial ran on.
      replay = rerunIbTrial(ib, best.params, { expectedData: dataOfTrial(systemAttrs, best.number) });
    } catch (err) {
      sections.push({ title: 'Best trial re-run', intro: `The IB engine could not re-run the best trial: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (replay) sections.push(...ibSections(replay, best.number, ib));
  }
  const basket = ibBasketSettingsOf(systemAttrs);
  if (basket) sections.push(...basketSections(basket, best, complete));
  if (input.bench) sections.push(...benchSections(input.bench));

  const states = new Map<string, number>();
  if (sample) for (const [state, n] of Object.entries(study.countsByState)) n > 0 && states.set(state, n);
  else for (const t of trials) states.set(t.state, (states.get(t.state) ?? 0) + 1);
  const summary = [
    htmlTable(
      ['study', multi ? 'directions' : 'direction', 'trials', multi ? 'knee values' : 'best value', multi ? 'knee of the front' : 'best trial'],
      [
        [
          name,
          multi ? study.directions.map((d, k) => `${d} ${objectives[k]}`).join(', ') : direction,
          [...states.entries()].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', '),
          best ? (multi ? best.values!.map((v, k) => `${objectives[k]} ${formatNumber(v)}`).join(', ') : formatNumber(best.values![0])) : '—',
          best ? `#${best.number}` : '—',
        ],
      ],
    ),
  ];
  if (best) {
    // Side by side: the best parameters, and its user attributes (metrics) in two columns.
    const boxes = [`<div><h3>${multi ? 'Parameters of the knee trial' : 'Best parameters'}</h3>${htmlTable(['parameter', 'value'], Object.entries(best.params).map(([k, v]) => [k, paramText(v)]))}</div>`];
    const attrs = Object.entries(best.userAttrs).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : attrText(v)]);
    const half = Math.ceil(attrs.length / 2);
    if (attrs.length) boxes.push(`<div><h3>Its user attributes</h3><div class="grid">${htmlTable(['attribute', 'value'], attrs.slice(0, half))}${attrs.length > half ? htmlTable(['attribute', 'value'], attrs.slice(half)) : ''}</div></div>`);
    summary.push(`<div class="grid">${boxes.join('')}</div>`);
  }
  summary.push(dataHtml(dataVersionsOf(systemAttrs), trials, best, sample ? study.nTrials : undefined));
  const samplersUsed = samplersUsedHtml(trials, multi ? null : direction, sample?.label);
  if (samplersUsed) summary.push(samplersUsed);
  if (ib) summary.push(ibSettingsHtml(ib));
  return renderPage({
    title: `Study report: ${name}`,
    subtitle: `${sample ? `${sample.ofComplete} completed trials (charts drawn ${sample.label})` : `${complete.length} completed trials`}, ${multi ? study.directions.map((d, k) => `${d} ${objectives[k]}`).join(', ') : direction}; generated ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC by studyopt`,
    summaryHtml: `<section>${summary.join('\n')}</section>`,
    sections,
  });
}

/**
 * A parameter value as a table shows it: strings as they are (no JSON quotes), numbers exactly
 * and booleans as text, null as an em dash. htmlTable escapes it.
 */
export function paramText(v: ParamValue): string {
  return v === null ? '—' : String(v);
}

/** A user attribute that is not a number: strings and booleans as text, other values as JSON. */
function attrText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function has(fp: DataVersion['fingerprint'], field: string, type: 'string' | 'number'): boolean {
  return typeof fp[field] === type;
}

/** "#0–#119 (120 trials)", "#120 on (35 trials)", with the best trial named when it is one of them. */
function trialsOn(versions: readonly DataVersion[], i: number, trials: readonly FrozenTrial[], best: FrozenTrial | null, nTrials?: number): string {
  const from = versions[i].firstTrial;
  const next = versions[i + 1]?.firstTrial;
  const inRange = (n: number) => n >= from && (next === undefined || n < next);
  // Given the study's size, `trials` is a sample: trial numbers are 0..nTrials-1, so a range holds its width.
  const count = nTrials === undefined ? trials.filter((t) => inRange(t.number)).length : Math.max(0, Math.min(next ?? nTrials, nTrials) - from);
  const range = next === undefined ? `#${from} on` : next - 1 > from ? `#${from}–#${next - 1}` : `#${from}`;
  const bestHere = best && inRange(best.number) ? `; best trial #${best.number}` : '';
  return `${range} (${count} trial${count === 1 ? '' : 's'}${bestHere})`;
}

/**
 * The "Data" part of the summary: every data version the study's trials ran on (src/study-data.ts),
 * with the trials run on each, a warning when there are several, or "not recorded".
 */
export function dataHtml(versions: readonly DataVersion[], trials: readonly FrozenTrial[], best: FrozenTrial | null, nTrials?: number): string {
  if (versions.length === 0) {
    return '<h3>Data</h3><p class="intro">Data: not recorded (the study\'s objective recorded no data fingerprint, or the study was made before studyopt recorded its data).</p>';
  }
  const ibFields = versions.every((v) => ['symbol', 'source', 'first', 'last'].every((f) => has(v.fingerprint, f, 'string')) && has(v.fingerprint, 'days', 'number') && has(v.fingerprint, 'bars', 'number'));
  const rows = versions.map((v, i) => {
    const fp = v.fingerprint;
    const trialsCell = trialsOn(versions, i, trials, best, nTrials);
    return ibFields
      ? [`${i + 1}`, fp.symbol, fp.source, `${fp.first} – ${fp.last}`, fp.days, (fp.bars as number).toLocaleString('en-US'), shortHash(fp.hash), trialsCell]
      : [`${i + 1}`, fp.summary, shortHash(fp.hash), trialsCell];
  });
  const columns = ibFields ? ['version', 'symbol', 'source', 'dates', 'trading days', 'bars', 'data hash', 'trials run on it'] : ['version', 'data', 'data hash', 'trials run on it'];
  const lead =
    versions.length === 1
      ? `Data: ${versions[0].fingerprint.summary} (data ${shortHash(versions[0].fingerprint.hash)}); every trial ran on it.`
      : `This study mixes data: its trials ran on ${versions.length} different data versions (below). Compare trials only within one version${best ? `; the best trial #${best.number} ran on version ${versions.findLastIndex((v) => v.firstTrial <= best.number) + 1}` : ''}.`;
  const textCols = ibFields ? [2, 3, 7] : [1, 3];
  return `<h3>Data</h3><p class="${versions.length === 1 ? 'intro' : 'warn'}">${escapeHtml(lead)}</p>${htmlTable(columns, rows, { className: (_r, c) => (textCols.includes(c) ? 'text' : undefined) })}`;
}

/** The IB study's settings (symbol, grid, dates, minimum trades, engine), beside the data. */
export function ibSettingsHtml(ib: IbStudySettings): string {
  const rows: [string, string][] = [
    ['symbol', `${ib.symbol} (time zone ${ib.symbolSpec.timezone}; IB windows ${ib.symbolSpec.ibWindows.join(', ')})`],
    ['grid', `${ib.grid} (the value lists searched)`],
    ['objective', ib.objectiveExpr ?? ib.objective ?? 'sharpe'],
    ['date range', `${ib.from ?? 'first day of the data'} to ${ib.to ?? 'last day of the data'}`],
    ['min trades', ib.minTrades === null ? `${DEFAULT_MIN_TRADES} (default)` : String(ib.minTrades)],
    ['engine', `initial balance ${ib.engine.initialBalance.toLocaleString('en-US')}, risk ${ib.engine.riskPct}% per trade`],
  ];
  return `<h3>IB settings</h3>${htmlTable(['setting', 'value'], rows, { className: () => 'text' })}`;
}

export function renderBenchReport(bench: BenchResult): string {
  return renderPage({
    title: `Sampler benchmark: ${bench.objective}`,
    subtitle: `samplers ${bench.plan.samplers.join(', ')}; budgets ${bench.plan.budgets.join(', ')}; seeds ${bench.plan.seeds.join(', ')}`,
    sections: benchSections(bench),
  });
}

export type { FrozenTrial };
