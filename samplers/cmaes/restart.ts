/**
 * Restart policies for CMA-ES runs that stopped (`shouldStop()`), shared by CmaEsSampler and the
 * benchmark's core-level driver.
 *
 * IPOP (Auger & Hansen, "A Restart CMA Evolution Strategy With Increasing Population Size", CEC
 * 2005): each restart multiplies the population by `incPopsize` (2 in the paper).
 * BIPOP (Hansen, "Benchmarking a BI-Population CMA-ES on the BBOB-2009 Function Testbed", GECCO
 * 2009): alternates such "large" runs with "small" ones, population
 * floor(lambda0 (lambda_large / lambda0)^(U^2)) and step size sigma0 10^(-2U) with U ~ U(0, 1),
 * choosing whichever regime has used fewer evaluations so far.
 * Every restart starts from a uniform random mean in the box.
 */
import type { Rng } from '../../src/rng.js';

export type RestartStrategy = 'ipop' | 'bipop';

/** Restart bookkeeping, plain JSON. */
export interface RestartBook {
  restarts: number;
  popsize0: number;
  nLargeRestarts: number;
  evalsSmall: number;
  evalsLarge: number;
  regime: 'large' | 'small';
}

export function newRestartBook(popsize0: number): RestartBook {
  return { restarts: 0, popsize0, nLargeRestarts: 0, evalsSmall: 0, evalsLarge: 0, regime: 'large' };
}

/** Counts a told generation against the regime of the current run. */
export function countGeneration(book: RestartBook, popsize: number): void {
  if (book.regime === 'small') book.evalsSmall += popsize;
  else book.evalsLarge += popsize;
}

/** Population and step size of the next run (updates `book`). */
export function nextRun(book: RestartBook, strategy: RestartStrategy, incPopsize: number, sigma0: number, rng: Rng): { popsize: number; sigma: number } {
  book.restarts += 1;
  if (strategy === 'bipop' && book.evalsSmall < book.evalsLarge) {
    const u = rng.random();
    book.regime = 'small';
    const largeFactor = incPopsize ** book.nLargeRestarts;
    return {
      popsize: Math.max(2, Math.floor(book.popsize0 * largeFactor ** (u * u))),
      sigma: sigma0 * 10 ** (-2 * rng.random()),
    };
  }
  book.nLargeRestarts += 1;
  book.regime = 'large';
  return { popsize: Math.round(book.popsize0 * incPopsize ** book.nLargeRestarts), sigma: sigma0 };
}
