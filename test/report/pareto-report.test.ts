// The report of multi-objective studies without a browser: the Pareto front and hypervolume
// sections are there, their data are right, and every chart on the page compiles (Vega-Lite to
// Vega) and renders to SVG in Vega's headless view.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { hypervolumeHistory } from '../../src/hypervolume.js';
import { renderStudyReport } from '../../src/apps/report/report.js';
import { paretoSections } from '../../src/apps/report/pareto-report.js';
import { type Study, createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

type Spec = Record<string, unknown> & { layer?: Array<{ data: { values: Array<Record<string, unknown>> }; mark: { type: string; interpolate?: string } }> };

/** The chart specs inlined in a report page. */
function specsOf(html: string): Spec[] {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1];
  return JSON.parse(json).charts;
}

/** The chart titles (h3 in .chart) of the section headed `title`. */
function sectionOf(html: string, title: string): string {
  const at = html.indexOf(`<h2>${title}</h2>`);
  expect(at, title).toBeGreaterThan(-1);
  return html.slice(at, html.indexOf('</section>', at));
}

async function renders(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Two objectives: maximise "sharpe" = 2 - (x - 1)^2, minimise "max_drawdown" = x^2 + y; x > 1.8 is infeasible. */
async function twoObjectiveStudy(): Promise<Study> {
  const study = createStudy({
    studyName: 'two <objectives>',
    directions: ['maximize', 'minimize'],
    sampler: new RandomSampler({ seed: 7 }),
    constraints: (t) => [(t.params.x as number) - 1.8],
  });
  study.setSystemAttr('study:metric_names', ['sharpe', 'max_drawdown']);
  await study.optimize(
    (trial) => {
      const x = trial.suggestFloat('x', 0, 2);
      const y = trial.suggestFloat('y', 0, 1);
      trial.setUserAttr('total_trades', Math.round(100 * y));
      return [2 - (x - 1) ** 2, x * x + y];
    },
    { nTrials: 60 },
  );
  return study;
}

/** Three unnamed minimised objectives on the positive octant's sphere-like front. */
async function threeObjectiveStudy(): Promise<Study> {
  const study = createStudy({ studyName: 'three', directions: ['minimize', 'minimize', 'minimize'], sampler: new RandomSampler({ seed: 3 }) });
  await study.optimize(
    (trial) => {
      const a = trial.suggestFloat('a', 0, Math.PI / 2);
      const b = trial.suggestFloat('b', 0, Math.PI / 2);
      const g = 1 + trial.suggestFloat('g', 0, 1);
      return [g * Math.cos(a) * Math.cos(b), g * Math.cos(a) * Math.sin(b), g * Math.sin(a)];
    },
    { nTrials: 50 },
  );
  return study;
}

describe('report of a study with two objectives', () => {
  it('a Pareto front section (scatter, staircase, table) and a hypervolume history, all charts rendering', async () => {
    const study = await twoObjectiveStudy();
    const html = renderStudyReport({ storage: study.storage, studyId: study.studyId });
    const front = study.bestTrials.sort((a, b) => b.values![0] - a.values![0]);
    expect(front.length).toBeGreaterThan(3);

    const pareto = sectionOf(html, 'Pareto front');
    expect(pareto).toContain(`${front.length} of the `);
    expect(pareto).toContain('<h3>sharpe × max_drawdown</h3>');
    // The table: the front by sharpe, best first.
    const rows = [...pareto.matchAll(/<tr><td>#(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(rows).toEqual(front.map((t) => t.number));
    expect(pareto).toContain('<th>sharpe (maximize)</th><th>max_drawdown (minimize)</th>');

    const specs = specsOf(html);
    const scatter = specs.find((s) => JSON.stringify(s).includes('"title":"sharpe (maximize)"'))!;
    const [others, line, dots] = scatter.layer!;
    expect(line.mark).toMatchObject({ type: 'line', interpolate: 'step-before' }); // x = sharpe is maximised
    expect(dots.data.values.map((v) => v.trial).sort()).toEqual(front.map((t) => t.number).sort());
    expect(dots.data.values.every((v) => v.kind === 'Pareto front')).toBe(true);
    const infeasible = study.trials.filter((t) => (t.params.x as number) > 1.8).length;
    expect(infeasible).toBeGreaterThan(0);
    expect(others.data.values.filter((v) => v.kind === 'infeasible')).toHaveLength(infeasible);
    expect(others.data.values.length + dots.data.values.length).toBe(60);

    // The hypervolume: the reference point stated, the chart's last value the front's hypervolume.
    const hv = sectionOf(html, 'Hypervolume history');
    expect(hv).toMatch(/at the reference point \(sharpe [-\d.e]+, max_drawdown [\d.e]+\)/);
    const hvSpec = specs.find((s) => JSON.stringify(s).includes('"field":"hypervolume"')) as unknown as { data: { values: Array<{ trial: number; hypervolume: number }> } };
    const values = hvSpec.data.values;
    for (let k = 1; k < values.length; k++) expect(values[k].hypervolume).toBeGreaterThanOrEqual(values[k - 1].hypervolume);
    expect(values.at(-1)!.trial).toBe(59);
    expect(values.at(-1)!.hypervolume).toBeGreaterThan(0);

    // History per objective, named; the summary's trial is the knee of the front.
    expect(sectionOf(html, 'Optimization history')).toContain('<h3>Optimization history: sharpe</h3>');
    expect(sectionOf(html, 'Optimization history')).toContain('<h3>Optimization history: max_drawdown</h3>');
    expect(html).toContain('<th>knee of the front</th>');
    expect(html).toContain('<h3>Parameters of the knee trial</h3>');

    for (const [i, spec] of specs.entries()) expect(await renders(spec), `chart ${i}`).toMatch(/^<svg/);
  }, 60_000);

  it('the hypervolume history matches src/hypervolume.ts at the stated reference point, kept at its changes', async () => {
    const study = await twoObjectiveStudy();
    const trials = study.trials;
    const [, hvSection] = paretoSections({ trials, directions: study.directions, metricNames: ['sharpe', 'max_drawdown'] });
    const reference = /\(sharpe ([^,]+), max_drawdown ([^)]+)\)/.exec(hvSection.intro!)!.slice(1).map(Number);
    const steps = hypervolumeHistory(trials, study.directions, reference);
    const chart = hvSection.charts![0].spec as { data: { values: Array<{ trial: number; hypervolume: number }> } };
    // formatNumber rounds the stated reference to 6 digits: compare to 5.
    for (const v of chart.data.values) expect(v.hypervolume).toBeCloseTo(steps.find((s) => s.number === v.trial)!.hypervolume, 4);
    const changes = steps.filter((s, k) => k > 0 && s.hypervolume !== steps[k - 1].hypervolume).length;
    expect(chart.data.values.length).toBeLessThanOrEqual(changes + 2);
  });
});

describe('report of a study with three objectives', () => {
  it('one scatter per pair of objectives with the front highlighted, the hypervolume history, all charts rendering', async () => {
    const study = await threeObjectiveStudy();
    const html = renderStudyReport({ storage: study.storage, studyId: study.studyId });
    const pareto = sectionOf(html, 'Pareto front');
    for (const pair of ['value0 × value1', 'value0 × value2', 'value1 × value2']) expect(pareto).toContain(`<h3>${pair}</h3>`);
    expect(pareto).toContain('<th>value0 (minimize)</th><th>value1 (minimize)</th><th>value2 (minimize)</th>');
    const specs = specsOf(html);
    const pairs = specs.filter((s) => s.layer?.some((l) => l.data.values.some((v) => v.kind === 'Pareto front')));
    expect(pairs).toHaveLength(3);
    for (const p of pairs) expect(p.layer!.map((l) => l.mark.type)).toEqual(['circle', 'circle']); // no staircase: a projection is no front
    expect(sectionOf(html, 'Hypervolume history')).toMatch(/reference point \(value0 [\d.]+, value1 [\d.]+, value2 [\d.]+\)/);
    expect(sectionOf(html, 'Optimization history').match(/<h3>Optimization history: value\d<\/h3>/g)).toHaveLength(3);
    for (const [i, spec] of specs.entries()) expect(await renders(spec), `chart ${i}`).toMatch(/^<svg/);
  }, 60_000);

  it('a study with no complete trial says the front is empty', async () => {
    const study = createStudy({ studyName: 'empty', directions: ['minimize', 'maximize'] });
    expect(paretoSections({ trials: study.trials, directions: study.directions, metricNames: null })).toEqual([{ title: 'Pareto front', intro: 'No complete feasible trial yet: the front is empty.' }]);
  });
});
