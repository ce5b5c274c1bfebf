/**
 * `--objective-expr`: the generic expression compiler (src/expression.ts) and its IB binding
 * (studies/ib/objective-expression.ts): values, the functions, and every kind of refusal.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compileExpression } from '../../src/expression.js';
import { METRIC_NAMES } from '../../studies/ib/metric-catalogue.js';
import { computeMetrics } from '../../studies/ib/metrics.js';
import { compileObjectiveExpression } from '../../studies/ib/objective-expression.js';
import { perTrialScore } from '../../studies/ib/objective.js';

const names = ['a', 'b', 'c'];
const values = { a: 2, b: 3, c: -4 };
const value = (text: string) => compileExpression(text, names).evaluate(values);
const refusal = (text: string, known: readonly string[] = names): string => {
  try {
    compileExpression(text, known);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${text} was accepted`);
};

describe('compileExpression', () => {
  it('evaluates + - * / with precedence, unary minus and parentheses', () => {
    expect(value('a + b * c')).toBe(2 + 3 * -4);
    expect(value('(a + b) * c')).toBe((2 + 3) * -4);
    expect(value('a - b - c')).toBe(2 - 3 - -4);
    expect(value('a / b / 2')).toBe(2 / 3 / 2);
    expect(value('-a * -c')).toBe(-2 * 4);
    expect(value('+a')).toBe(2);
    expect(value('2 - -3')).toBe(5);
    expect(value('1.5e1 + .5')).toBe(15.5);
    expect(value('  a  ')).toBe(2);
  });

  it('calls min, max, abs, sqrt, log and exp', () => {
    expect(value('min(a, b, c)')).toBe(-4);
    expect(value('max(a, b)')).toBe(3);
    expect(value('max(a)')).toBe(2);
    expect(value('abs(c)')).toBe(4);
    expect(value('sqrt(a * 8)')).toBe(4);
    expect(value('log(exp(b))')).toBeCloseTo(3, 12);
  });

  it('lists the names read, each once, in order of first use', () => {
    expect(compileExpression('b * a - b + 1', names).names).toEqual(['b', 'a']);
    expect(compileExpression('2 * 3', names).names).toEqual([]);
  });

  it('follows IEEE arithmetic where the value is undefined: x / 0 is ±Infinity, 0 / 0 and sqrt(−1) NaN', () => {
    expect(value('a / 0')).toBe(Infinity);
    expect(value('c / 0')).toBe(-Infinity);
    expect(value('(a - a) / 0')).toBeNaN();
    expect(value('sqrt(c)')).toBeNaN();
    expect(value('log(0)')).toBe(-Infinity);
  });

  it('names an unknown name and lists the known ones, with its position', () => {
    const msg = refusal('a + sharpee * 2');
    expect(msg).toContain(`the expression "a + sharpee * 2", at character 5: unknown name 'sharpee'; known names: a, b, c`);
    expect(msg).toMatch(/a \+ sharpee \* 2\n {6}\^/);
  });

  it('reports a syntax error with its position', () => {
    expect(refusal('a +')).toMatch(/, at character 4: Expected expression after \+/);
    expect(refusal('(a + b')).toMatch(/, at character 7: Unclosed \(/);
    expect(refusal('a..b')).toMatch(/, at character 3: Unexpected \./);
    expect(refusal('')).toMatch(/it is empty/);
    expect(refusal('a b')).toMatch(/several expressions/);
  });

  it('refuses what is not arithmetic: other operators, strings, members, unknown functions, wrong arity', () => {
    expect(refusal('a ^ 2')).toMatch(/at character 3: the operator \^ is not allowed \(for a square write x \* x/);
    expect(refusal('a ** 2')).toMatch(/the operator \*\* is not allowed/);
    expect(refusal('a % 2')).toMatch(/the operator % is not allowed/);
    expect(refusal('a > b')).toMatch(/the operator > is not allowed/);
    expect(refusal('!a')).toMatch(/the operator ! is not allowed/);
    expect(refusal('"a"')).toMatch(/"a" is not a number/);
    expect(refusal('true')).toMatch(/true is not a number/);
    expect(refusal('a.b')).toMatch(/MemberExpression is not allowed/);
    expect(refusal('a[0]')).toMatch(/MemberExpression is not allowed/);
    expect(refusal('a ? b : c')).toMatch(/ConditionalExpression is not allowed/);
    expect(refusal('pow(a, 2)')).toMatch(/pow is not a function: the functions are min, max, abs, sqrt, log, exp/);
    expect(refusal('constructor(a)')).toMatch(/constructor is not a function/);
    expect(refusal('sqrt(a, b)')).toMatch(/sqrt\(\) takes one argument, not 2/);
    expect(refusal('max()')).toMatch(/max\(\) takes one or more arguments, not 0/);
    expect(refusal('min + 1')).toMatch(/min is a function: call it, e\.g\. min\(x\)/);
    expect(refusal('toString', names)).toMatch(/unknown name 'toString'/);
  });
});

describe('IB objective expressions', () => {
  const m = computeMetrics([1, -2, 0.5, 2, -1], [0, 0, 0, 0, 0], [2, 2, 2, 2, 2], 5, {}, [0, 2, 3, 6, 8], 10);

  it('reads metrics by their catalogue names', () => {
    const e = compileObjectiveExpression('sharpe - 0.5 * max_drawdown');
    expect(e.metrics).toEqual(['sharpe', 'max_drawdown']);
    expect(e.value(m, 10)).toBe(m.sharpe_ratio - 0.5 * m.max_drawdown);
    expect(compileObjectiveExpression('calmar / max(ulcer_index, 1) + score').value(m, 10)).toBe(m.calmar_ratio / Math.max(m.ulcer_index, 1) + perTrialScore(m, 10));
  });

  it('names an unknown metric with the flag and lists every metric', () => {
    expect(() => compileObjectiveExpression('sharpe_ratio - max_drawdown')).toThrow(
      `--objective-expr "sharpe_ratio - max_drawdown", at character 1: unknown metric 'sharpe_ratio'; known metrics: ${METRIC_NAMES.join(', ')}\n  sharpe_ratio - max_drawdown\n  ^`,
    );
  });
});
