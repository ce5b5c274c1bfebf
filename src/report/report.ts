/**
 * `studyopt report`: one self-contained HTML file for a stored study (and, optionally, a bench
 * result); `renderBenchReport` for `studyopt bench --html`.
 */
import type { BenchResult } from '../bench/bench.js';
import type { FrozenTrial, StudyDirection } from '../frozen-trial.js';
import { bestOf } from '../study.js';
import { dataOfTrial } from '../study-data.js';
import type { Storage } from '../storage/storage.js';
import { formatNumber } from '../cli/commands/storage-options.js';
import { benchSections } from './bench-charts.js';
import { type IbReplay, ibConfigOf, ibSections, replayIb } from './ib-report.js';
import { observationsOf, pedAnovaImportances } from './importance.js';
import { type Section, htmlTable, renderPage } from './page.js';
import { contourChart, historyChart, importanceChart, parallelCoordinatesChart, sliceCharts, type StudyView } from './study-charts.js';

export interface StudyReportInput {
  storage: Storage;
  studyId: number;
  bench?: BenchResult;
  /** Slice plots for at most this many parameters (the most important first). Default 9. */
  maxSlices?: number;
}

export function renderStudyReport(input: StudyReportInput): string {
  const { storage, studyId } = input;
  const study = storage.getAllStudies().find((s) => s.studyId === studyId)!;
  const name = study.studyName;
  const direction: StudyDirection = study.directions[0];
  const trials = storage.getAllTrials(studyId);
  const complete = trials.filter((t) => t.state === 'COMPLETE' && t.values && t.values.length > 0).sort((a, b) => a.number - b.number);
  const { observations, distributions } = observationsOf(complete);
  const view: StudyView = { direction, complete, distributions };
  const best = bestOf(complete, direction);
  const systemAttrs = storage.getStudySystemAttrs(studyId);

  const importances = observations.length >= 4 && Object.keys(distributions).length > 0 ? pedAnovaImportances(observations, distributions, direction) : [];
  const ranked = importances.length ? importances.map((p) => p.name) : Object.keys(distributions);
  const sections: Section[] = [];
  sections.push({
    title: 'Optimization history',
    charts: complete.length ? [historyChart(view)] : [],
    intro: complete.length ? undefined : 'No completed trial yet.',
  });
  if (importances.length) sections.push({ title: 'Parameter importances', charts: [importanceChart(importances)] });
  if (ranked.length && complete.length) {
    sections.push({ title: 'Slice plots', intro: 'Objective value against each parameter, most important first; darker dots are later trials.', charts: sliceCharts(view, ranked.slice(0, input.maxSlices ?? 9)) });
    const top = ranked.slice(0, 3);
    const pairs: [string, string][] = [];
    for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) pairs.push([top[i], top[j]]);
    if (pairs.length) sections.push({ title: 'Contour plots', intro: 'The three most important parameters, pairwise.', charts: pairs.map(([a, b]) => contourChart(view, a, b)) });
    sections.push({ title: 'Parallel coordinates', charts: [parallelCoordinatesChart(view, ranked.slice(0, 12))] });
  }
  const ib = ibConfigOf(systemAttrs);
  if (ib && best) {
    let replay: IbReplay | null = null;
    try {
      replay = replayIb(ib, best.params, dataOfTrial(systemAttrs, best.number));
    } catch (err) {
      sections.push({ title: 'Best trial re-run', intro: `The IB engine could not re-run the best trial: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (replay) sections.push(...ibSections(replay, best.number));
  }
  if (input.bench) sections.push(...benchSections(input.bench));

  const states = new Map<string, number>();
  for (const t of trials) states.set(t.state, (states.get(t.state) ?? 0) + 1);
  const summary = [
    htmlTable(
      ['study', 'direction', 'trials', 'best value', 'best trial'],
      [[name, direction, [...states.entries()].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', '), best ? formatNumber(best.values![0]) : '—', best ? `#${best.number}` : '—']],
    ),
  ];
  if (best) {
    // Side by side: the best parameters, and its user attributes (metrics) in two columns.
    const boxes = [`<div><h3>Best parameters</h3>${htmlTable(['parameter', 'value'], Object.entries(best.params).map(([k, v]) => [k, JSON.stringify(v)]))}</div>`];
    const attrs = Object.entries(best.userAttrs).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)]);
    const half = Math.ceil(attrs.length / 2);
    if (attrs.length) boxes.push(`<div><h3>Its user attributes</h3><div class="grid">${htmlTable(['attribute', 'value'], attrs.slice(0, half))}${attrs.length > half ? htmlTable(['attribute', 'value'], attrs.slice(half)) : ''}</div></div>`);
    summary.push(`<div class="grid">${boxes.join('')}</div>`);
  }
  return renderPage({
    title: `Study report: ${name}`,
    subtitle: `${complete.length} completed trials, ${direction}; generated ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC by studyopt`,
    summaryHtml: `<section>${summary.join('\n')}</section>`,
    sections,
  });
}

export function renderBenchReport(bench: BenchResult): string {
  return renderPage({
    title: `Sampler benchmark: ${bench.objective}`,
    subtitle: `samplers ${bench.plan.samplers.join(', ')}; budgets ${bench.plan.budgets.join(', ')}; seeds ${bench.plan.seeds.join(', ')}`,
    sections: benchSections(bench),
  });
}

export type { FrozenTrial };
