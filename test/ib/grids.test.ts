import { describe, expect, it } from 'vitest';
import { GRID_VALUES, IbGrid } from '../../studies/ib/grids.js';
import { getSymbol } from '../../studies/ib/symbols.js';

/** Counts the grid by nested loops straight from IB_RULES.md §6, independently of IbGrid. */
function countByRules(name: 'standard' | 'expanded', windows: number): number {
  const g = GRID_VALUES[name];
  let n = 0;
  for (const target of g.TSL_TARGET) {
    const sls = target === 0 ? 1 : g.TSL_SL.filter((s) => s <= target).length;
    for (const enabled of g.REV_RB_ENABLED) {
      const pcts = enabled ? g.REV_RB_PCT.length : 1;
      n += sls * pcts;
    }
  }
  return (
    n * windows * g.IB_WAIT_MINUTES.length * g.TRADE_WINDOW_MINUTES.length * g.RR_TARGET.length * g.STOP_MODE.length *
    g.MIN_SL_PCT.length * g.IB_BUFFER_PCT.length * g.MAX_DISTANCE_PCT.length
  );
}

describe('grids (IB_RULES.md §6, 00522ec)', () => {
  for (const symbol of ['GER40', 'XAUUSD']) {
    it(`${symbol}: standard 25,920 and expanded 1,478,400 distinct points, pruned as the seed`, () => {
      for (const [name, expected] of [['standard', 25_920], ['expanded', 1_478_400]] as const) {
        const grid = new IbGrid(getSymbol(symbol), name);
        expect(grid.size).toBe(expected);
        expect(countByRules(name, 3)).toBe(expected);
        const seen = new Set<string>();
        let badPruning = 0;
        for (let i = 0; i < grid.size; i++) {
          const p = grid.params(i);
          const tslOk = p.TSL_TARGET === 0 ? p.TSL_SL === GRID_VALUES[name].TSL_SL[0] : p.TSL_SL <= p.TSL_TARGET;
          const rbOk = p.REV_RB_ENABLED || p.REV_RB_PCT === GRID_VALUES[name].REV_RB_PCT[0];
          if (!tslOk || !rbOk) badPruning++;
          seen.add(Object.values(p).join('|'));
        }
        expect(badPruning).toBe(0);
        expect(seen.size).toBe(expected);
      }
    }, 120_000);
  }

  it('has the seed values', () => {
    expect(GRID_VALUES.standard.IB_BUFFER_PCT).toEqual([0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(GRID_VALUES.expanded.RR_TARGET).toEqual([0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
    expect(GRID_VALUES.expanded.MAX_DISTANCE_PCT).toEqual([0.5, 0.75, 1, 1.25, 1.5]);
  });
});
