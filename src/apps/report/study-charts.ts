/**
 * Vega-Lite specs of the study views: optimisation history, importances, slices, contour
 * (heat map of the best value per cell of two parameters), parallel coordinates.
 *
 * Field names are always our own (x, y, value, ...): user strings (parameter names, category
 * values) are data values and titles only, never field names or expressions.
 */
import type { Distribution, ParamValue } from '../../distributions.js';
import type { FrozenTrial, StudyDirection } from '../../frozen-trial.js';
import { isFeasible } from '../../frozen-trial.js';
import type { ParamImportance } from './importance.js';
import type { Chart } from './page.js';

type Spec = Record<string, unknown>;

const WIDTH = 560;
const MAX_POINTS = 4000;

export interface StudyView {
  readonly direction: StudyDirection;
  /** COMPLETE trials, in number order. */
  readonly complete: readonly FrozenTrial[];
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** The objective these views show, for a study with several (default 0: the first). */
  readonly objective?: number;
  /** Its name, for titles (a metric name); without it, "objective". */
  readonly objectiveName?: string;
  /**
   * The history's best-so-far line when `complete` is a sample of the study (trial-sample.ts):
   * computed over every trial's value, not the sample's. Without it, from `complete`.
   */
  readonly bestSoFar?: readonly { readonly trial: number; readonly best: number }[];
}

/** The value of the view's objective for trial `t` (a COMPLETE trial). */
function objectiveOf(view: StudyView, t: FrozenTrial): number {
  return t.values![view.objective ?? 0];
}

/** Whether `a` is a better value than `b` in `direction`. */
export function better(direction: StudyDirection, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/** At most `max` items, evenly spaced, always keeping the ones `keep` marks. */
export function thin<T>(items: readonly T[], max: number, keep: (t: T) => boolean = () => false): T[] {
  if (items.length <= max) return [...items];
  const stride = items.length / max;
  const out: T[] = [];
  let next = 0;
  items.forEach((t, i) => {
    if (i >= next) {
      out.push(t);
      next += stride;
    } else if (keep(t)) out.push(t);
  });
  return out;
}

export function historyChart(view: StudyView): Chart {
  let best: number | null = null;
  const points: Spec[] = [];
  const bestLine: Spec[] = [];
  for (const t of view.complete) {
    const v = objectiveOf(view, t);
    const feasible = isFeasible(t);
    if (feasible && (best === null || better(view.direction, v, best))) {
      best = v;
      bestLine.push({ trial: t.number, best });
    }
    points.push({ trial: t.number, value: v, kind: feasible ? 'feasible' : 'infeasible' });
  }
  const last = view.complete[view.complete.length - 1];
  if (best !== null && last) bestLine.push({ trial: last.number, best });
  if (view.bestSoFar) bestLine.splice(0, bestLine.length, ...view.bestSoFar.map((s) => ({ ...s })));
  return {
    title: view.objectiveName === undefined ? 'Optimization history' : `Optimization history: ${view.objectiveName}`,
    note: `Each dot is a trial's ${view.objectiveName === undefined ? 'objective value' : `value of ${view.objectiveName}`}; the line is the best feasible value so far (${view.direction}).${points.length > MAX_POINTS ? ` ${MAX_POINTS} of ${points.length} trials shown as dots.` : ''}`,
    spec: {
      width: WIDTH,
      height: 260,
      layer: [
        {
          data: { values: thin(points, MAX_POINTS) },
          mark: { type: 'circle', size: 14, opacity: 0.5 },
          encoding: {
            x: { field: 'trial', type: 'quantitative', title: 'trial' },
            y: { field: 'value', type: 'quantitative', title: view.objectiveName ?? 'objective value', scale: { zero: false } },
            color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['feasible', 'infeasible'], range: ['#4c78a8', '#bbbbbb'] } },
            tooltip: [{ field: 'trial' }, { field: 'value', format: '.4~g' }],
          },
        },
        {
          data: { values: bestLine },
          mark: { type: 'line', interpolate: 'step-after', color: '#e45756', strokeWidth: 2 },
          encoding: { x: { field: 'trial', type: 'quantitative' }, y: { field: 'best', type: 'quantitative' } },
        },
      ],
    },
  };
}

export function importanceChart(importances: readonly ParamImportance[]): Chart {
  return {
    title: 'Parameter importances (PED-ANOVA)',
    note: "Share of the objective's local variance among the top 10% of trials that each parameter explains (Watanabe et al. 2023): how much the best trials prefer particular values of it.",
    spec: {
      width: WIDTH - 120,
      height: { step: 22 },
      data: { values: importances.map((p) => ({ param: p.name, importance: p.importance })) },
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        y: { field: 'param', type: 'nominal', sort: '-x', title: null },
        x: { field: 'importance', type: 'quantitative', title: 'importance', axis: { format: '.0%' } },
        tooltip: [{ field: 'param' }, { field: 'importance', format: '.1%' }],
      },
    },
  };
}

function isNumeric(d: Distribution): boolean {
  return d.type === 'float' || d.type === 'int' || d.type === 'ordinal';
}

function label(v: ParamValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One small scatter per parameter: objective value against the parameter's value. */
export function sliceCharts(view: StudyView, params: readonly string[]): Chart[] {
  const feasible = view.complete.filter(isFeasible);
  return params.map((name) => {
    const d = view.distributions[name];
    const rows = thin(
      feasible.filter((t) => name in t.params),
      MAX_POINTS,
    ).map((t) => ({ x: isNumeric(d) ? t.params[name] : label(t.params[name]), value: objectiveOf(view, t), trial: t.number }));
    const log = (d.type === 'float' || d.type === 'int') && d.log;
    return {
      title: `Slice: ${name}`,
      spec: {
        width: 250,
        height: 180,
        data: { values: rows },
        mark: { type: isNumeric(d) ? 'circle' : 'tick', opacity: 0.45, ...(isNumeric(d) ? { size: 16 } : {}) },
        encoding: {
          x: isNumeric(d)
            ? { field: 'x', type: 'quantitative', title: name, scale: { zero: false, ...(log ? { type: 'log' } : {}) } }
            : { field: 'x', type: 'nominal', title: name },
          y: { field: 'value', type: 'quantitative', title: view.objectiveName ?? 'objective', scale: { zero: false } },
          color: { field: 'trial', type: 'quantitative', title: 'trial', scale: { scheme: 'blues' }, legend: null },
          tooltip: [{ field: 'trial' }, { field: 'x', title: name }, { field: 'value', format: '.4~g' }],
        },
      },
    };
  });
}

/** A parameter's value as a cell label (numeric values binned when there are many). */
function cellOf(d: Distribution, values: readonly ParamValue[]): (v: ParamValue) => { key: string; order: number } {
  if (!isNumeric(d)) {
    const choices = d.type === 'categorical' ? d.choices : [];
    return (v) => ({ key: label(v), order: choices.indexOf(v) });
  }
  const distinct = [...new Set(values as number[])].sort((a, b) => a - b);
  if (distinct.length <= 12) return (v) => ({ key: label(v), order: distinct.indexOf(v as number) });
  const log = (d.type === 'float' || d.type === 'int') && d.log;
  const f = (x: number) => (log ? Math.log(x) : x);
  const lo = f(distinct[0]);
  const hi = f(distinct[distinct.length - 1]);
  const bins = 10;
  return (v) => {
    const b = Math.min(bins - 1, Math.floor(((f(v as number) - lo) / (hi - lo || 1)) * bins));
    const edge = (k: number) => Number((log ? Math.exp(lo + ((hi - lo) * k) / bins) : lo + ((hi - lo) * k) / bins).toPrecision(3));
    return { key: `${edge(b)}–${edge(b + 1)}`, order: b };
  };
}

/**
 * Contour view of two parameters: the best objective value in each cell of their grid (numeric
 * parameters with many values are binned into 10), as Optuna's contour plot shows the surface.
 */
export function contourChart(view: StudyView, a: string, b: string): Chart {
  const feasible = view.complete.filter((t) => isFeasible(t) && a in t.params && b in t.params);
  const ca = cellOf(view.distributions[a], feasible.map((t) => t.params[a]));
  const cb = cellOf(view.distributions[b], feasible.map((t) => t.params[b]));
  const cells = new Map<string, { x: string; xo: number; y: string; yo: number; best: number; n: number }>();
  for (const t of feasible) {
    const x = ca(t.params[a]);
    const y = cb(t.params[b]);
    const key = JSON.stringify([x.key, y.key]);
    const v = objectiveOf(view, t);
    const c = cells.get(key);
    if (!c) cells.set(key, { x: x.key, xo: x.order, y: y.key, yo: y.order, best: v, n: 1 });
    else {
      c.n++;
      if (better(view.direction, v, c.best)) c.best = v;
    }
  }
  return {
    title: `Contour: ${a} × ${b}`,
    note: 'Colour: the best objective value among the trials in each cell; darker is better.',
    spec: {
      width: 300,
      height: 240,
      data: { values: [...cells.values()] },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', type: 'ordinal', title: a, sort: { field: 'xo', op: 'min' } },
        y: { field: 'y', type: 'ordinal', title: b, sort: { field: 'yo', op: 'min', order: 'descending' } },
        color: { field: 'best', type: 'quantitative', title: 'best', scale: { scheme: 'viridis', reverse: view.direction === 'maximize' } },
        tooltip: [{ field: 'x', title: a }, { field: 'y', title: b }, { field: 'best', format: '.4~g' }, { field: 'n', title: 'trials' }],
      },
    },
  };
}

/** Horizontal room per parallel-coordinates axis (px): the value labels at its ends fit in it. */
export const PC_AXIS_STEP = 90;
/** Angle of the parameter names above the axes: parallel slanted names never touch. */
export const PC_LABEL_ANGLE = -35;

/** A number in at most 4 significant digits (the axis ends' labels). */
function shortNumber(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/**
 * Parallel coordinates: one line per trial across the parameters' axes (each scaled to 0–1:
 * numeric by value, categorical by choice index), coloured by the objective value.
 *
 * Legibility with a dozen long names (TRADE_WINDOW_MINUTES, ...): each axis gets a fixed step of
 * width, the names stand above the plot slanted at PC_LABEL_ANGLE (never cut short), and each
 * axis's lowest and highest values are written below and above the plot, where no line runs,
 * shortened to fit the step.
 */
export function parallelCoordinatesChart(view: StudyView, params: readonly string[], maxTrials = 600): Chart {
  const feasible = view.complete.filter(isFeasible);
  // The best trials, then an even sample of the rest, so the picture shows both.
  const sorted = [...feasible].sort((x, y) => (better(view.direction, objectiveOf(view, x), objectiveOf(view, y)) ? -1 : 1));
  const chosen = sorted.length <= maxTrials ? sorted : [...sorted.slice(0, maxTrials / 2), ...thin(sorted.slice(maxTrials / 2), maxTrials / 2)];
  const axes = params.map((name) => {
    const d = view.distributions[name];
    if (d.type === 'categorical') return { name, pos: (v: ParamValue) => (d.choices.length > 1 ? d.choices.indexOf(v) / (d.choices.length - 1) : 0.5), lo: label(d.choices[0]), hi: label(d.choices[d.choices.length - 1]) };
    const vals = feasible.filter((t) => name in t.params).map((t) => t.params[name] as number);
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    return { name, pos: (v: ParamValue) => (hi > lo ? ((v as number) - lo) / (hi - lo) : 0.5), lo: shortNumber(lo), hi: shortNumber(hi) };
  });
  const rows: Spec[] = [];
  for (const t of chosen) {
    axes.forEach((ax, i) => {
      if (ax.name in t.params) rows.push({ trial: t.number, axis: ax.name, axisIndex: i, pos: ax.pos(t.params[ax.name]), shown: label(t.params[ax.name]), value: objectiveOf(view, t) });
    });
  }
  const end = (which: 'lo' | 'hi') => axes.map((ax, i) => ({ axis: ax.name, axisIndex: i, pos: which === 'lo' ? 0 : 1, text: ax[which] }));
  const y = { field: 'pos', type: 'quantitative', axis: null, scale: { domain: [0, 1] } };
  // Names above the plot, clear of the highest values' labels (offset), slanted, never cut short.
  const x = {
    field: 'axis',
    type: 'nominal',
    title: null,
    sort: { field: 'axisIndex', op: 'min' },
    axis: { orient: 'top', labelAngle: PC_LABEL_ANGLE, labelAlign: 'left', labelBaseline: 'middle', labelLimit: 0, labelFontSize: 11, labelOverlap: false, offset: 20, domain: false, ticks: false, grid: true, gridColor: '#c8ccd0' },
  };
  const endText = { type: 'text', fontSize: 10, color: '#333', limit: PC_AXIS_STEP - 10 };
  return {
    title: 'Parallel coordinates',
    note: `One line per trial (${chosen.length} of ${feasible.length}: the best half and a sample of the rest), coloured by objective value; each axis runs from its lowest value (written below the plot) to its highest (above it).`,
    spec: {
      width: Math.max(WIDTH, PC_AXIS_STEP * axes.length),
      height: 300,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 1, opacity: 0.35 },
          encoding: {
            x,
            y,
            detail: { field: 'trial', type: 'nominal' },
            color: { field: 'value', type: 'quantitative', title: 'objective', scale: { scheme: 'plasma', reverse: view.direction === 'minimize' } },
            order: { field: 'axisIndex' },
            tooltip: [{ field: 'trial' }, { field: 'axis' }, { field: 'shown', title: 'value' }, { field: 'value', title: 'objective', format: '.4~g' }],
          },
        },
        { data: { values: end('hi') }, mark: { ...endText, baseline: 'bottom', dy: -3 }, encoding: { x, y, text: { field: 'text' } } },
        { data: { values: end('lo') }, mark: { ...endText, baseline: 'top', dy: 3 }, encoding: { x, y, text: { field: 'text' } } },
      ],
    },
  };
}
