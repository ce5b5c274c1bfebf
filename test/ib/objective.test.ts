import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import type { Trial } from '../../src/trial.js';
import { constraints, direction, grid, objective, setup } from '../../studies/ib/objective.js';

/** A trial that answers each suggestion with a fixed pick from its value list. */
function fakeTrial(pick: (name: string, values: readonly unknown[]) => unknown): Trial & { attrs: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  const attrs: Record<string, unknown> = {};
  const choose = (name: string, values: readonly unknown[]) => (params[name] = pick(name, values));
  return {
    number: 0,
    params: params as never,
    distributions: {},
    userAttrs: attrs,
    datetimeStart: null,
    attrs,
    suggestFloat: () => {
      throw new Error('the IB space has no float parameters');
    },
    suggestInt: () => {
      throw new Error('the IB space has no int parameters');
    },
    suggestCategorical: (name, choices) => choose(name, choices) as never,
    suggestOrdinal: (name, values) => choose(name, values) as never,
    report: () => {},
    shouldPrune: () => false,
    setUserAttr: (k, v) => {
      attrs[k] = v;
    },
  };
}

const previous = process.env['STUDYOPT_DATA_DIR'];
beforeAll(() => {
  process.env['STUDYOPT_DATA_DIR'] = mkdtempSync(join(tmpdir(), 'studyopt-ib-objective-'));
  setup({ symbol: 'GER40', grid: 'expanded', objective: 'total_r', minTrades: 10 });
});
afterAll(() => {
  if (previous === undefined) delete process.env['STUDYOPT_DATA_DIR'];
  else process.env['STUDYOPT_DATA_DIR'] = previous;
});

describe('IB objective module', () => {
  it('runs a backtest on the built-in data, stores every metric and returns the chosen one', () => {
    const trial = fakeTrial((_n, values) => values[values.length - 1]);
    const value = objective(trial);
    expect(direction).toBe('maximize');
    expect(typeof trial.attrs['total_trades']).toBe('number');
    expect(trial.attrs['total_trades']).toBeGreaterThan(100);
    expect(value).toBe(trial.attrs['total_r']);
    const frozen = { userAttrs: trial.attrs } as unknown as FrozenTrial;
    expect(constraints(frozen)).toEqual([10 - (trial.attrs['total_trades'] as number)]);
  });

  it('suggests TSL_SL only when trailing, clamps it to <= TSL_TARGET, and REV_RB_PCT only when enabled', () => {
    const trial = fakeTrial((name, values) => {
      if (name === 'TSL_TARGET') return 0.75;
      if (name === 'TSL_SL') return 2;
      if (name === 'REV_RB_ENABLED') return false;
      return values[0];
    });
    objective(trial);
    expect(trial.params['TSL_SL']).toBe(2);
    expect(trial.attrs['TSL_SL_effective']).toBe(0.75);
    expect('REV_RB_PCT' in trial.params).toBe(false);
    const off = fakeTrial((name, values) => (name === 'TSL_TARGET' ? 0 : values[0]));
    objective(off);
    expect('TSL_SL' in off.params).toBe(false);
  });

  it('exposes the seed grids with points shaped like the trials', () => {
    expect(grid('standard').size).toBe(25_920);
    expect(grid('expanded').size).toBe(1_478_400);
    const p = grid('standard').point(0);
    expect(p['TSL_TARGET']).toBe(0);
    expect('TSL_SL' in p).toBe(false);
  });
});
