// Pick rules on hand-made Pareto fronts whose answers are worked out in the comments.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial, StudyDirection } from '../../src/frozen-trial.js';
import { paretoFront } from '../../src/pareto.js';
import { objectiveNames, parsePickRule, pickFromFront, ruleText } from '../../src/pareto-pick.js';

function trial(number: number, values: number[], userAttrs: Record<string, unknown> = {}, constraints?: number[]): FrozenTrial {
  return {
    trialId: number,
    number,
    state: 'COMPLETE',
    values,
    datetimeStart: null,
    datetimeComplete: null,
    params: {},
    distributions: {},
    userAttrs,
    systemAttrs: constraints ? { constraints } : {},
    intermediateValues: new Map(),
  };
}

// Maximise sharpe, minimise max_drawdown. Front (sharpe, drawdown):
//   #0 (0.5, 2)  #1 (1.0, 5)  #2 (1.5, 12)  #3 (2.0, 30)
// plus #4 (0.8, 6), dominated by #1, and #5 (3.0, 1), infeasible.
const DIRECTIONS: StudyDirection[] = ['maximize', 'minimize'];
const NAMES = ['sharpe', 'max_drawdown'];
const TRIALS = [
  trial(0, [0.5, 2], { total_trades: 40, winrate: 0.4, label: 'a' }),
  trial(1, [1.0, 5], { total_trades: 80, winrate: 0.5, label: 'b' }),
  trial(2, [1.5, 12], { total_trades: 120, winrate: 0.45 }),
  trial(3, [2.0, 30], { total_trades: 20, winrate: 0.6 }),
  trial(4, [0.8, 6], { total_trades: 500 }),
  trial(5, [3.0, 1], { total_trades: 999 }, [1]),
];
const FRONT = paretoFront(TRIALS.filter((t) => t.number !== 5), DIRECTIONS);
const objectives = { directions: DIRECTIONS, metricNames: NAMES };
const pick = (rule: string, front: readonly FrozenTrial[] = FRONT) => pickFromFront(front, rule, objectives).trial.number;

describe('parsePickRule', () => {
  it('reads knee, max/min, where and and; operators with or without spaces', () => {
    expect(parsePickRule('knee')).toEqual({ kind: 'knee', conditions: [] });
    expect(parsePickRule('sharpe')).toEqual({ kind: 'extreme', sense: null, target: 'sharpe', conditions: [] });
    expect(parsePickRule('MAX sharpe where max_drawdown<10 and total_trades >= 50')).toEqual({
      kind: 'extreme',
      sense: 'max',
      target: 'sharpe',
      conditions: [
        { name: 'max_drawdown', op: '<', value: 10 },
        { name: 'total_trades', op: '>=', value: 50 },
      ],
    });
    expect(parsePickRule('min x where y > -1.5e2').conditions).toEqual([{ name: 'y', op: '>', value: -150 }]);
    expect(ruleText(parsePickRule('max  sharpe where max_drawdown<10 AND winrate>=0.5'))).toBe('max sharpe where max_drawdown < 10 and winrate >= 0.5');
  });

  it.each([
    ['', /it is empty/],
    ['max', /expected a name after 'max', not the end/],
    ['max where', /expected a name after 'max', not 'where'/],
    ['sharpe drawdown', /expected 'where' or the end after 'sharpe', not 'drawdown'/],
    ['sharpe where', /expected a condition/],
    ['sharpe where dd', /expected an operator \(< <= > >=\) after 'dd'/],
    ['sharpe where dd = 3', /expected an operator .* not '='/],
    ['sharpe where dd < ten', /expected a number after 'dd <', not 'ten'/],
    ['sharpe where dd < 3 or x > 1', /expected 'and' or the end after 'dd < 3', not 'or'/],
    ['sharpe where dd < 3 and', /expected a condition/],
  ])('refuses %j with a UsageError that shows the grammar', (text, message) => {
    expect(() => parsePickRule(text)).toThrow(UsageError);
    expect(() => parsePickRule(text)).toThrow(message);
    expect(() => parsePickRule(text)).toThrow(/a rule reads knee, or \[max\|min\] <name>/);
  });
});

describe('pickFromFront', () => {
  it('the front excludes the dominated and the infeasible trial', () => {
    expect(FRONT.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    // Even when a caller passes them, neither is ever picked.
    expect(pick('max sharpe', TRIALS)).toBe(3);
    expect(pick('max total_trades', TRIALS)).toBe(4); // 500, dominated but passed in: still complete and feasible
  });

  it('an objective alone means its own direction; max/min override it; value0/value1 always work', () => {
    expect(pick('sharpe')).toBe(3);
    expect(pick('max_drawdown')).toBe(0);
    expect(pick('min sharpe')).toBe(0);
    expect(pick('max max_drawdown')).toBe(3);
    expect(pick('value0')).toBe(3);
    expect(pick('value1')).toBe(0);
    expect(pickFromFront(FRONT, 'value1', { directions: DIRECTIONS }).trial.number).toBe(0);
    expect(objectiveNames(DIRECTIONS, null)).toEqual(['value0', 'value1']);
  });

  it("conditions on objectives and on numeric user attributes narrow the front first", () => {
    // sharpe is highest at #3, but its drawdown is 30; of drawdown < 10 (#0, #1), #1 has the higher sharpe.
    expect(pick('max sharpe where max_drawdown < 10')).toBe(1);
    expect(pick('max sharpe where max_drawdown <= 12')).toBe(2);
    expect(pick('max sharpe where max_drawdown < 12')).toBe(1);
    expect(pickFromFront(FRONT, 'max sharpe where max_drawdown < 10', objectives).eligible).toBe(2);
    // total_trades >= 50: #1, #2; the lower drawdown of them is #1.
    expect(pick('min max_drawdown where total_trades >= 50')).toBe(1);
    expect(pick('max winrate')).toBe(3);
    expect(pick('max winrate where sharpe < 2 and total_trades > 50')).toBe(1);
    expect(pick('min total_trades where sharpe > 0.7')).toBe(3);
  });

  it('knee: the point nearest the ideal after scaling each objective to [0, 1] over the front', () => {
    // Scaled (0 best): sharpe (2.0 - s) / 1.5, drawdown (d - 2) / 28:
    //   #0 (1, 0) -> 1;  #1 (0.667, 0.107) -> 0.675;  #2 (0.333, 0.357) -> 0.488;  #3 (0, 1) -> 1.
    const knee = pickFromFront(FRONT, 'knee', objectives);
    expect(knee.trial.number).toBe(2);
    expect(knee.distance).toBeCloseTo(Math.hypot(1 / 3, 10 / 28), 12);
    // Among drawdown < 10 (#0, #1): scaled sharpe (1 - s) / 0.5, drawdown (d - 2) / 3: #0 (1, 0), #1 (0, 1): a tie, the lower number wins.
    expect(pick('knee where max_drawdown < 10')).toBe(0);
    // Three objectives, one constant over the front: it decides nothing.
    const three: StudyDirection[] = ['minimize', 'minimize', 'maximize'];
    const front3 = [trial(10, [0, 10, 7]), trial(11, [4, 4, 7]), trial(12, [10, 0, 7]), trial(13, [6, 1, 7])];
    // Scaled: #10 (0, 1) 1; #11 (0.4, 0.4) 0.566; #12 (1, 0) 1; #13 (0.6, 0.1) 0.608.
    expect(pickFromFront(front3, 'knee', { directions: three }).trial.number).toBe(11);
    // A one-point front is its own knee.
    expect(pickFromFront([FRONT[1]], 'knee', objectives)).toMatchObject({ trial: { number: 1 }, distance: 0 });
  });

  it('ties on the target go to the lowest trial number', () => {
    const tied = [trial(7, [1, 3], { n: 5 }), trial(2, [2, 4], { n: 5 }), trial(9, [0.5, 1], { n: 1 })];
    expect(pickFromFront(tied, 'max n', objectives).trial.number).toBe(2);
  });

  it('an unknown name lists the objectives and the numeric user attributes', () => {
    expect(() => pick('max sortino')).toThrow(UsageError);
    expect(() => pick('max sortino')).toThrow(
      "pick rule 'max sortino': no objective or numeric user attribute named 'sortino'; the objectives are sharpe, max_drawdown; the numeric user attributes of the front's trials are total_trades, winrate",
    );
    // 'label' is a string attribute: not a name to pick by. value2 does not exist with two objectives.
    expect(() => pick('max label')).toThrow(/no objective or numeric user attribute named 'label'/);
    expect(() => pick('value2')).toThrow(/named 'value2'/);
    expect(() => pick('sharpe where drawdown < 3')).toThrow(/named 'drawdown'/);
  });

  it('a user attribute needs max or min', () => {
    expect(() => pick('total_trades')).toThrow("pick rule 'total_trades': 'total_trades' is a user attribute, not an objective, so it has no direction: write 'max total_trades' or 'min total_trades'");
  });

  it('a condition no front point meets: says the range of that name among the trials left', () => {
    expect(() => pick('max sharpe where max_drawdown < 1')).toThrow(
      "pick rule 'max sharpe where max_drawdown < 1': no trial on the Pareto front meets max_drawdown < 1: among the front's 4 trials, max_drawdown ranges from 2 to 30; loosen the condition",
    );
    expect(() => pick('max sharpe where sharpe > 1.2 and total_trades > 150')).toThrow(
      'no trial on the Pareto front meets total_trades > 150: among the 2 front trials with sharpe > 1.2, total_trades ranges from 20 to 120; loosen the condition',
    );
    expect(() => pick('knee where sharpe >= 2 and winrate < 0.5')).toThrow('among the 1 front trial with sharpe >= 2, winrate is 0.6');
  });

  it('an empty front (or one of infeasible trials only) is refused', () => {
    expect(() => pickFromFront([], 'knee', objectives)).toThrow(/the Pareto front is empty/);
    expect(() => pickFromFront([TRIALS[5]], 'knee', objectives)).toThrow(/the Pareto front is empty/);
  });
});
