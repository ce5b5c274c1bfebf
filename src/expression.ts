/**
 * Arithmetic expressions over named numbers, such as `sharpe - 0.5 * max_drawdown`: a custom
 * objective built from a study's metrics (`--objective-expr`).
 *
 * jsep parses the text to an AST and evaluates nothing; this module compiles the AST into a
 * closure tree that allows only: numbers, the known names, + - * / (IEEE arithmetic), unary minus
 * and plus, parentheses, and the functions of EXPRESSION_FUNCTIONS. No eval, no new Function, no
 * property access: any other syntax is refused when compiled, with its position in the text.
 *
 * Division follows IEEE 754: x / 0 is ±Infinity and 0 / 0 is NaN, as are sqrt and log of a
 * negative number; an objective that returns either makes a failed trial whose reason says so
 * (src/study.ts). Guard a denominator with max(…, ε) where it can be 0.
 */
import jsep from 'jsep';
import { UsageError } from './errors.js';

/** The functions an expression may call, with how many arguments each takes. */
export const EXPRESSION_FUNCTIONS: Readonly<Record<string, { readonly arity: 'one' | 'some'; readonly fn: (...xs: number[]) => number }>> = {
  min: { arity: 'some', fn: Math.min },
  max: { arity: 'some', fn: Math.max },
  abs: { arity: 'one', fn: Math.abs },
  sqrt: { arity: 'one', fn: Math.sqrt },
  /** The natural logarithm. */
  log: { arity: 'one', fn: Math.log },
  exp: { arity: 'one', fn: Math.exp },
};

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
};

export interface CompiledExpression {
  readonly text: string;
  /** The names the expression reads, each once, in order of first use. */
  readonly names: readonly string[];
  /** The expression's value with these values of its names (every name in `names` must have one). */
  evaluate(values: Readonly<Record<string, number>>): number;
}

type Compiled = (values: Readonly<Record<string, number>>) => number;

export interface CompileOptions {
  /** How the user gave the expression, for messages (default 'the expression'). */
  readonly source?: string;
  /** What a name stands for, for messages (default 'name'). */
  readonly nameKind?: string;
}

/**
 * Parses and checks `text`: a UsageError names a syntax error and its position, an unknown name
 * (listing `knownNames`), or a construct that is not allowed.
 */
export function compileExpression(text: string, knownNames: readonly string[], options: CompileOptions = {}): CompiledExpression {
  const source = options.source ?? 'the expression';
  const nameKind = options.nameKind ?? 'name';
  const fail = (what: string, at: number | null): never => {
    const where = at === null ? '' : `, at character ${at + 1}`;
    const caret = at === null ? '' : `\n  ${text}\n  ${' '.repeat(at)}^`;
    throw new UsageError(`${source} ${JSON.stringify(text)}${where}: ${what}${caret}`);
  };
  let ast: jsep.Expression;
  try {
    ast = jsep(text);
  } catch (err) {
    const e = err as Error & { index?: number; description?: string };
    return fail(e.description ?? e.message, typeof e.index === 'number' ? e.index : null);
  }
  const known = new Set(knownNames);
  const names: string[] = [];
  // jsep's AST carries no positions: point at the first occurrence of the token instead (of a
  // name, as a whole word).
  const positionOf = (token: string): number | null => {
    const isWord = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(token);
    const m = isWord ? new RegExp(`(^|[^A-Za-z0-9_$.])(${token.replace(/\$/g, '\\$')})(?![A-Za-z0-9_$])`).exec(text) : null;
    if (m) return m.index + m[1].length;
    const i = text.indexOf(token);
    return i < 0 ? null : i;
  };

  const compile = (node: jsep.Expression): Compiled => {
    switch (node.type) {
      case 'Literal': {
        const value = (node as jsep.Literal).value;
        if (typeof value !== 'number') return fail(`${(node as jsep.Literal).raw} is not a number: only numbers and ${nameKind}s have values`, positionOf(String((node as jsep.Literal).raw)));
        return () => value;
      }
      case 'Identifier': {
        const name = (node as jsep.Identifier).name;
        if (Object.prototype.hasOwnProperty.call(EXPRESSION_FUNCTIONS, name) && !known.has(name)) return fail(`${name} is a function: call it, e.g. ${name}(x)`, positionOf(name));
        if (!known.has(name)) return fail(`unknown ${nameKind} '${name}'; known ${nameKind}s: ${knownNames.join(', ')}`, positionOf(name));
        if (!names.includes(name)) names.push(name);
        return (values) => values[name];
      }
      case 'UnaryExpression': {
        const { operator, argument } = node as jsep.UnaryExpression;
        const inner = compile(argument);
        if (operator === '-') return (values) => -inner(values);
        if (operator === '+') return inner;
        return fail(`the operator ${operator} is not allowed: use + - * / , parentheses and ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')}`, positionOf(operator));
      }
      case 'BinaryExpression': {
        const { operator, left, right } = node as jsep.BinaryExpression;
        const op = BINARY[operator];
        if (op === undefined) {
          const hint = operator === '^' || operator === '**' ? ' (for a square write x * x, or sqrt(x) for a root)' : '';
          return fail(`the operator ${operator} is not allowed${hint}: use + - * / , parentheses and ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')}`, positionOf(operator));
        }
        const a = compile(left);
        const b = compile(right);
        return (values) => op(a(values), b(values));
      }
      case 'CallExpression': {
        const { callee, arguments: args } = node as jsep.CallExpression;
        const name = callee.type === 'Identifier' ? (callee as jsep.Identifier).name : null;
        const f = name !== null && Object.prototype.hasOwnProperty.call(EXPRESSION_FUNCTIONS, name) ? EXPRESSION_FUNCTIONS[name] : undefined;
        if (name === null || f === undefined) {
          return fail(`${name ?? 'this'} is not a function: the functions are ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')}`, name === null ? null : positionOf(name));
        }
        if (f.arity === 'one' ? args.length !== 1 : args.length === 0) {
          return fail(`${name}() takes ${f.arity === 'one' ? 'one argument' : 'one or more arguments'}, not ${args.length}`, positionOf(name));
        }
        const compiled = args.map(compile);
        if (compiled.length === 1) {
          const [x] = compiled;
          return (values) => f.fn(x(values));
        }
        return (values) => f.fn(...compiled.map((c) => c(values)));
      }
      case 'Compound':
        return fail((node as jsep.Compound).body.length === 0 ? 'it is empty: give a formula such as sharpe - 0.5 * max_drawdown' : 'it holds several expressions: join them with an operator', null);
      default:
        return fail(`${node.type} is not allowed: use numbers, ${nameKind}s, + - * / , parentheses and ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')}`, null);
    }
  };

  const root = compile(ast);
  return { text, names, evaluate: root };
}
