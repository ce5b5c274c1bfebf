/**
 * The report's multi-objective sections: the Pareto front (a scatter of the complete trials with
 * the front highlighted: for two objectives joined as the staircase that bounds what the study
 * attained, for three or more one scatter per pair of objectives), a table of the front, and the
 * hypervolume after each trial at the study's default reference point (src/hypervolume.ts).
 *
 * Field names in the specs are our own (x, y, trial, kind, hypervolume): metric names are titles
 * and table cells only, never field names or expressions.
 */
import { type FrozenTrial, type StudyDirection, isFeasible } from '../../frozen-trial.js';
import { defaultReferencePoint, hypervolumeHistory } from '../../hypervolume.js';
import { paretoFront } from '../../pareto.js';
import { frontByFirstObjective, objectiveNames, pickFromFront } from '../../pareto-pick.js';
import { formatNumber } from '../cli/commands/storage-options.js';
import { type Chart, type Section, htmlTable } from './page.js';
import { thin } from './study-charts.js';

type Spec = Record<string, unknown>;

const MAX_POINTS = 4000;
/** Pair scatters for at most this many objectives (15 charts); more would bury the page. */
const MAX_PAIR_OBJECTIVES = 6;
const KINDS = ['Pareto front', 'dominated', 'infeasible'];
const COLORS = ['#e45756', '#4c78a8', '#bbbbbb'];

export interface ParetoReportInput {
  /** Every trial of the study, in number order. */
  readonly trials: readonly FrozenTrial[];
  readonly directions: readonly StudyDirection[];
  /** The study's metric names (`study:metric_names`), or null: value0, value1, ... */
  readonly metricNames: readonly string[] | null;
}

/** The feasible COMPLETE trials' Pareto front, best first by the first objective (ties by number). */
export function sortedParetoFront(trials: readonly FrozenTrial[], directions: readonly StudyDirection[]): FrozenTrial[] {
  const candidates = trials.filter((t) => t.state === 'COMPLETE' && t.values !== null && t.values.length === directions.length && isFeasible(t));
  return frontByFirstObjective(paretoFront(candidates, directions), directions);
}

/** The front's knee (src/pareto-pick.ts): the trial the report shows as its "best", or null with no front. */
export function kneeTrial(trials: readonly FrozenTrial[], directions: readonly StudyDirection[]): FrozenTrial | null {
  const front = sortedParetoFront(trials, directions);
  return front.length ? pickFromFront(front, 'knee', { directions }).trial : null;
}

function axisTitle(name: string, direction: StudyDirection): string {
  return `${name} (${direction})`;
}

/**
 * One scatter of objective `i` against `j`: the dominated and infeasible trials (thinned past
 * MAX_POINTS), the front on top; with `staircase`, the front joined as the boundary of the region
 * it dominates (for two objectives).
 */
function pairChart(input: ParetoReportInput, complete: readonly FrozenTrial[], onFront: ReadonlySet<number>, i: number, j: number, staircase: boolean, size: { width: number; height: number }): Chart {
  const names = objectiveNames(input.directions, input.metricNames);
  const row = (t: FrozenTrial) => ({ trial: t.number, x: t.values![i], y: t.values![j], kind: onFront.has(t.number) ? KINDS[0] : isFeasible(t) ? KINDS[1] : KINDS[2] });
  const others = complete.filter((t) => !onFront.has(t.number));
  const front = complete.filter((t) => onFront.has(t.number)).map(row).sort((a, b) => a.x - b.x || a.y - b.y);
  const x = { field: 'x', type: 'quantitative', title: axisTitle(names[i], input.directions[i]), scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: axisTitle(names[j], input.directions[j]), scale: { zero: false } };
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: KINDS, range: COLORS } };
  const tooltip = [{ field: 'trial' }, { field: 'x', title: names[i], format: '.4~g' }, { field: 'y', title: names[j], format: '.4~g' }, { field: 'kind', title: 'set' }];
  const layer: Spec[] = [{ data: { values: thin(others, MAX_POINTS).map(row) }, mark: { type: 'circle', size: 18, opacity: 0.45 }, encoding: { x, y, color, tooltip } }];
  if (staircase) {
    // Sorted by x, the boundary of the dominated region holds each point's y until the next x
    // when x is minimised (step-after), and takes the next point's y at once when x is maximised
    // (step-before): the attainment surface of the front.
    const interpolate = input.directions[i] === 'maximize' ? 'step-before' : 'step-after';
    layer.push({ data: { values: front }, mark: { type: 'line', interpolate, color: COLORS[0], strokeWidth: 1.5 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
  }
  layer.push({ data: { values: front }, mark: { type: 'circle', size: 44, opacity: 0.95 }, encoding: { x, y, color, tooltip } });
  return {
    title: `${names[i]} × ${names[j]}`,
    note: staircase
      ? 'Each dot is a complete trial; the red ones are the Pareto front (no other feasible trial is as good in both objectives and better in one), joined as the edge of what the study attained.'
      : `The front over all ${input.directions.length} objectives in red: a front point may look dominated here, being better in an objective this pair leaves out.`,
    spec: { width: size.width, height: size.height, layer },
  };
}

/** The hypervolume after each finished trial: a staircase kept at its changes (step-after draws it exactly). */
function hypervolumeChart(input: ParetoReportInput, reference: readonly number[]): Chart {
  const steps = hypervolumeHistory(input.trials, input.directions, reference);
  const values = steps.filter((s, k) => k === 0 || k === steps.length - 1 || s.hypervolume !== steps[k - 1].hypervolume).map((s) => ({ trial: s.number, hypervolume: s.hypervolume }));
  return {
    title: 'Hypervolume history',
    note: 'The volume of objective space that the front found so far dominates, bounded by the reference point: it grows whenever a trial extends the front.',
    spec: {
      width: 560,
      height: 240,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after', color: '#4c78a8', strokeWidth: 2, point: { size: 18 } },
      encoding: {
        x: { field: 'trial', type: 'quantitative', title: 'trial' },
        y: { field: 'hypervolume', type: 'quantitative', title: 'hypervolume' },
        tooltip: [{ field: 'trial' }, { field: 'hypervolume', format: '.6~g' }],
      },
    },
  };
}

/** The "Pareto front" and "Hypervolume history" sections of a study with several objectives. */
export function paretoSections(input: ParetoReportInput): Section[] {
  const { directions } = input;
  const names = objectiveNames(directions, input.metricNames);
  const complete = input.trials.filter((t) => t.state === 'COMPLETE' && t.values !== null && t.values.length === directions.length);
  const front = sortedParetoFront(complete, directions);
  const reference = defaultReferencePoint(input.trials, directions);
  if (front.length === 0 || reference === null) return [{ title: 'Pareto front', intro: 'No complete feasible trial yet: the front is empty.' }];
  const onFront = new Set(front.map((t) => t.number));
  const feasible = complete.filter(isFeasible).length;
  const charts: Chart[] = [];
  if (directions.length === 2) charts.push(pairChart(input, complete, onFront, 0, 1, true, { width: 460, height: 320 }));
  else {
    const shown = Math.min(directions.length, MAX_PAIR_OBJECTIVES);
    for (let i = 0; i < shown; i++) for (let j = i + 1; j < shown; j++) charts.push(pairChart(input, complete, onFront, i, j, false, { width: 250, height: 200 }));
  }
  const omitted = directions.length > MAX_PAIR_OBJECTIVES ? ` Pairs of the first ${MAX_PAIR_OBJECTIVES} objectives shown.` : '';
  const table = htmlTable(
    ['trial', ...names.map((n, k) => axisTitle(n, directions[k]))],
    front.map((t) => [`#${t.number}`, ...t.values!.map((v) => formatNumber(v))]),
    { scroll: front.length > 15 },
  );
  const referenceText = names.map((n, k) => `${n} ${formatNumber(reference[k])}`).join(', ');
  return [
    {
      title: 'Pareto front',
      intro: `${front.length} of the ${feasible} complete feasible trials are on the Pareto front: none of them is beaten in every objective by another. Choose among them with studyopt best --pick (knee, or e.g. a maximum under a condition).${omitted} The table lists the front by ${names[0]}, best first.`,
      charts,
      html: table,
    },
    {
      title: 'Hypervolume history',
      intro: `Hypervolume after each trial, at the reference point (${referenceText}): the worst value of each objective among the complete feasible trials, 10% of its range further out. Hypervolumes compare only at the same reference point.`,
      charts: [hypervolumeChart(input, reference)],
    },
  ];
}
