/**
 * The engine over several day ranges at once (RunOptions.ranges, for folds): the same trades as
 * the ranges run one by one, in order, and metrics over all of them together.
 */
import { describe, expect, it } from 'vitest';
import { IbEngine } from '../../studies/ib/engine/engine.js';
import { IbGrid } from '../../studies/ib/grids.js';
import type { IbParams } from '../../studies/ib/params.js';
import { syntheticSlices } from './helpers.js';

describe('IbEngine.run over day ranges', () => {
  const data = syntheticSlices('GER40', [['2025-01-01', '2025-04-30']]);
  const engine = new IbEngine(data);
  const grid = new IbGrid(data.symbol, 'standard');

  it.each([0, 777, 5000, 20000])('grid point %i: the ranges together give the trades of each range in turn', (i) => {
    const p = grid.point(i) as unknown as IbParams;
    const first = engine.run(p, { dayFrom: 3, dayTo: 25, trades: true });
    const second = engine.run(p, { dayFrom: 40, dayTo: 70, trades: true });
    expect(first.trades!.length + second.trades!.length).toBeGreaterThan(5);
    const both = engine.run(p, { ranges: [{ from: 3, to: 25 }, { from: 40, to: 70 }], trades: true });
    expect(both.trades).toEqual([...first.trades!, ...second.trades!]);
    expect(both.metrics.total_trades).toBe(first.metrics.total_trades + second.metrics.total_trades);
    // One range is the same as dayFrom/dayTo.
    expect(engine.run(p, { ranges: [{ from: 3, to: 25 }] }).metrics).toEqual(first.metrics);
  });
});
