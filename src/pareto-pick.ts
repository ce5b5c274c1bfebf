/**
 * A pick rule: how to choose one trial from a multi-objective study's Pareto front.
 *
 * Grammar (keywords case-insensitive; spaces around the operators optional):
 *
 *     rule      := 'knee' [where] | ['max' | 'min'] <name> [where]
 *     where     := 'where' condition ('and' condition)*
 *     condition := <name> ('<' | '<=' | '>' | '>=') <number>
 *
 * A `<name>` is an objective (its metric name, or `value0`, `value1`, ... by position, which
 * always work) or a numeric user attribute of the front's trials (the IB study stores every
 * metric as one: `max_drawdown`, `total_trades`, ...). `max`/`min` may be left out for an
 * objective (its study direction is then meant) but not for a user attribute.
 *
 * `knee` takes the front point nearest the ideal point once each objective is scaled to [0, 1]
 * over the front points considered (0 the best value among them, 1 the worst): the compromise
 * that gives up least, relatively, on every objective at once (the "closest to ideal point"
 * choice of multi-criteria decision making, e.g. Deb, Multi-Objective Optimization Using
 * Evolutionary Algorithms, 2001, sec. 8.4; with one scale per objective, a range of 1.2 in
 * drawdown does not drown a range of 0.3 in Sharpe ratio). An objective constant over those
 * points scales to 0 everywhere and decides nothing.
 *
 * Conditions are applied first; the rule then chooses among the front points that meet them all.
 * Ties (equal target value or equal distance) go to the lowest trial number, so a pick is
 * reproducible. Infeasible or unfinished trials are never picked, whatever the caller passes.
 */
import { UsageError } from './errors.js';
import { type FrozenTrial, type StudyDirection, isFeasible } from './frozen-trial.js';

export type PickOperator = '<' | '<=' | '>' | '>=';
export const PICK_OPERATORS: readonly PickOperator[] = ['<', '<=', '>', '>='];

export interface PickCondition {
  readonly name: string;
  readonly op: PickOperator;
  readonly value: number;
}

export type PickRule =
  | { readonly kind: 'knee'; readonly conditions: readonly PickCondition[] }
  | {
      readonly kind: 'extreme';
      /** 'max' or 'min' as written; null: the objective's own direction. */
      readonly sense: 'max' | 'min' | null;
      readonly target: string;
      readonly conditions: readonly PickCondition[];
    };

/** The objectives of a study: directions, and a name for each (metric names, or value0, value1, ...). */
export interface PickObjectives {
  readonly directions: readonly StudyDirection[];
  /** The study's metric names (`study:metric_names`), or null when it has none. */
  readonly metricNames?: readonly string[] | null;
}

export interface ParetoPick {
  readonly trial: FrozenTrial;
  /** How many front trials met the rule's conditions (the ones it chose among). */
  readonly eligible: number;
  /** For `knee`: the picked point's distance to the ideal point, in scaled units. */
  readonly distance?: number;
}

export const PICK_SYNTAX = "knee, or [max|min] <name> [where <name> <op> <number> [and ...]] with <op> one of < <= > >=, e.g. 'max sharpe where max_drawdown < 10'";

/** The objectives' names as rules use them: the metric names when the study has them, else value0, value1, ... */
export function objectiveNames(directions: readonly StudyDirection[], metricNames?: readonly string[] | null): string[] {
  return metricNames && metricNames.length === directions.length ? [...metricNames] : directions.map((_, i) => `value${i}`);
}

function syntaxError(text: string, problem: string): UsageError {
  return new UsageError(`pick rule '${text}': ${problem}; a rule reads ${PICK_SYNTAX}`);
}

const TOKEN = /<=|>=|<|>|=+|[^\s<>=]+/g;

/** Parses a pick rule's text (syntax only: names are checked against a study by {@link pickFromFront}). */
export function parsePickRule(text: string): PickRule {
  const tokens = text.match(TOKEN) ?? [];
  if (tokens.length === 0) throw syntaxError(text, 'it is empty');
  const lower = (i: number) => tokens[i]?.toLowerCase();
  let i = 0;
  let head: { kind: 'knee' } | { kind: 'extreme'; sense: 'max' | 'min' | null; target: string };
  if (lower(0) === 'knee') {
    head = { kind: 'knee' };
    i = 1;
  } else {
    const sense = lower(0) === 'max' || lower(0) === 'min' ? (lower(0) as 'max' | 'min') : null;
    if (sense) i = 1;
    const target = tokens[i];
    if (target === undefined || isKeyword(target) || isOperator(target)) throw syntaxError(text, `expected a name ${sense ? `after '${sense}'` : 'first'}, not ${target === undefined ? 'the end' : `'${target}'`}`);
    head = { kind: 'extreme', sense, target };
    i++;
  }
  const conditions: PickCondition[] = [];
  if (i < tokens.length) {
    if (lower(i) !== 'where') throw syntaxError(text, `expected 'where' or the end after '${tokens[i - 1]}', not '${tokens[i]}'`);
    i++;
    for (;;) {
      const [name, op, number] = [tokens[i], tokens[i + 1], tokens[i + 2]];
      if (name === undefined || isKeyword(name) || isOperator(name)) throw syntaxError(text, `expected a condition (<name> <op> <number>) after '${tokens[i - 1]}'${name === undefined ? '' : `, not '${name}'`}`);
      if (op === undefined || !PICK_OPERATORS.includes(op as PickOperator)) throw syntaxError(text, `expected an operator (< <= > >=) after '${name}'${op === undefined ? '' : `, not '${op}'`}`);
      const value = number === undefined ? Number.NaN : Number(number);
      if (number === undefined || number.trim() === '' || !Number.isFinite(value)) throw syntaxError(text, `expected a number after '${name} ${op}'${number === undefined ? '' : `, not '${number}'`}`);
      conditions.push({ name, op: op as PickOperator, value });
      i += 3;
      if (i === tokens.length) break;
      if (lower(i) !== 'and') throw syntaxError(text, `expected 'and' or the end after '${name} ${op} ${number}', not '${tokens[i]}'`);
      i++;
    }
  }
  return { ...head, conditions };
}

function isKeyword(token: string): boolean {
  return ['knee', 'max', 'min', 'where', 'and'].includes(token.toLowerCase());
}

function isOperator(token: string): boolean {
  return /^[<>=]+$/.test(token);
}

function meets(v: number, op: PickOperator, bound: number): boolean {
  return op === '<' ? v < bound : op === '<=' ? v <= bound : op === '>' ? v > bound : v >= bound;
}

/** The shortest text that reads back to the same number (as the CLI prints numbers). */
function num(v: number): string {
  return String(v);
}

/** Where a name's values come from: an objective by position, or a user attribute. */
type Source = { kind: 'objective'; index: number } | { kind: 'attribute'; key: string };

function numericAttr(t: FrozenTrial, key: string): number | null {
  const v = t.userAttrs[key];
  return typeof v === 'number' && !Number.isNaN(v) ? v : null;
}

/**
 * Chooses one trial from `front` (a Pareto front, e.g. src/pareto.ts `paretoFront` of the
 * feasible COMPLETE trials) by `rule` (text or parsed). Throws a UsageError naming the problem and
 * the fix for an unknown name, a user attribute without max/min, or conditions no front point meets.
 */
export function pickFromFront(front: readonly FrozenTrial[], rule: PickRule | string, objectives: PickObjectives): ParetoPick {
  const text = typeof rule === 'string' ? rule : ruleText(rule);
  const parsed = typeof rule === 'string' ? parsePickRule(rule) : rule;
  const { directions } = objectives;
  const names = objectiveNames(directions, objectives.metricNames);
  const points = front.filter((t) => t.state === 'COMPLETE' && t.values !== null && t.values.length === directions.length && isFeasible(t));
  if (points.length === 0) throw new UsageError(`pick rule '${text}': the Pareto front is empty (no complete feasible trial yet): run trials first`);
  const attributes = [...new Set(points.flatMap((t) => Object.keys(t.userAttrs).filter((k) => numericAttr(t, k) !== null)))].sort();

  const sourceOf = (name: string): Source => {
    const index = names.indexOf(name);
    if (index >= 0) return { kind: 'objective', index };
    const positional = /^value(\d+)$/.exec(name);
    if (positional && Number(positional[1]) < directions.length) return { kind: 'objective', index: Number(positional[1]) };
    if (attributes.includes(name)) return { kind: 'attribute', key: name };
    const known = `the objectives are ${names.join(', ')}${attributes.length ? `; the numeric user attributes of the front's trials are ${attributes.join(', ')}` : "; the front's trials have no numeric user attribute"}`;
    throw new UsageError(`pick rule '${text}': no objective or numeric user attribute named '${name}'; ${known}`);
  };
  const valueOf = (source: Source, t: FrozenTrial): number | null => (source.kind === 'objective' ? t.values![source.index] : numericAttr(t, source.key));

  let eligible = points;
  const met: string[] = [];
  for (const c of parsed.conditions) {
    const source = sourceOf(c.name);
    const next = eligible.filter((t) => {
      const v = valueOf(source, t);
      return v !== null && meets(v, c.op, c.value);
    });
    if (next.length === 0) {
      const values = eligible.map((t) => valueOf(source, t)).filter((v): v is number => v !== null);
      const among = met.length ? `the ${eligible.length} front trial${eligible.length === 1 ? '' : 's'} with ${met.join(' and ')}` : `the front's ${eligible.length} trial${eligible.length === 1 ? '' : 's'}`;
      const range = values.length === 0 ? `none of them has '${c.name}'` : values.length === 1 ? `${c.name} is ${num(values[0])}` : `${c.name} ranges from ${num(values.reduce((m, v) => Math.min(m, v)))} to ${num(values.reduce((m, v) => Math.max(m, v)))}`;
      throw new UsageError(`pick rule '${text}': no trial on the Pareto front meets ${c.name} ${c.op} ${num(c.value)}: among ${among}, ${range}; loosen the condition`);
    }
    eligible = next;
    met.push(`${c.name} ${c.op} ${num(c.value)}`);
  }
  const byNumber = [...eligible].sort((a, b) => a.number - b.number);

  if (parsed.kind === 'knee') {
    // Loops, not Math.min(...): a front may hold more points than a call has room for arguments.
    const lo = directions.map((_, k) => byNumber.reduce((m, t) => Math.min(m, t.values![k]), Infinity));
    const hi = directions.map((_, k) => byNumber.reduce((m, t) => Math.max(m, t.values![k]), -Infinity));
    const scaled = (t: FrozenTrial, k: number): number => {
      const span = hi[k] - lo[k];
      if (!(span > 0) || !Number.isFinite(span)) return 0;
      return directions[k] === 'maximize' ? (hi[k] - t.values![k]) / span : (t.values![k] - lo[k]) / span;
    };
    let best = byNumber[0];
    let bestDistance = Infinity;
    for (const t of byNumber) {
      const d = Math.hypot(...directions.map((_, k) => scaled(t, k)));
      if (d < bestDistance) {
        best = t;
        bestDistance = d;
      }
    }
    return { trial: best, eligible: byNumber.length, distance: bestDistance };
  }

  const source = sourceOf(parsed.target);
  if (source.kind === 'attribute' && parsed.sense === null) {
    throw new UsageError(`pick rule '${text}': '${parsed.target}' is a user attribute, not an objective, so it has no direction: write 'max ${parsed.target}' or 'min ${parsed.target}'`);
  }
  const sense = parsed.sense ?? (directions[(source as { index: number }).index] === 'maximize' ? 'max' : 'min');
  let best: FrozenTrial | null = null;
  let bestValue = 0;
  for (const t of byNumber) {
    const v = valueOf(source, t);
    if (v === null) continue;
    if (best === null || (sense === 'max' ? v > bestValue : v < bestValue)) {
      best = t;
      bestValue = v;
    }
  }
  if (best === null) throw new UsageError(`pick rule '${text}': no eligible front trial has '${parsed.target}'; pick by another name`);
  return { trial: best, eligible: byNumber.length };
}

/** A front as tables list it: by the first objective, best first (ties by trial number). */
export function frontByFirstObjective(front: readonly FrozenTrial[], directions: readonly StudyDirection[]): FrozenTrial[] {
  const sign = directions[0] === 'maximize' ? -1 : 1;
  return [...front].sort((a, b) => sign * (a.values![0] - b.values![0]) || a.number - b.number);
}

/** A parsed rule written back in its canonical form. */
export function ruleText(rule: PickRule): string {
  const head = rule.kind === 'knee' ? 'knee' : `${rule.sense ? `${rule.sense} ` : ''}${rule.target}`;
  return rule.conditions.length ? `${head} where ${rule.conditions.map((c) => `${c.name} ${c.op} ${num(c.value)}`).join(' and ')}` : head;
}
