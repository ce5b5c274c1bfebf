/**
 * The built-in data is synthetic: a run that is about to generate it says so, and where it goes,
 * so that nobody takes results on made-up candles for results on the market.
 */
import { cacheExists, symbolCacheDir } from '../../../studies/ib/data/cache.js';
import { DEFAULT_SYNTHETIC_END, DEFAULT_SYNTHETIC_SEED, DEFAULT_SYNTHETIC_YEARS } from '../../../studies/ib/data/synthetic.js';
import { getSymbol } from '../../../studies/ib/symbols.js';

/** Writes a notice to stderr when `symbol` has no data yet (the next load generates it); unknown symbols are left to the load's own error. */
export function announceSyntheticData(symbol: string, quiet = false): void {
  if (quiet) return;
  let name: string;
  try {
    name = getSymbol(symbol).name;
  } catch {
    return;
  }
  if (cacheExists(name)) return;
  process.stderr.write(
    `no ${name} data imported yet: generating the built-in SYNTHETIC ${name} data (${DEFAULT_SYNTHETIC_YEARS} years of M1 candles to ${DEFAULT_SYNTHETIC_END}, seed ${DEFAULT_SYNTHETIC_SEED}) ` +
      `into ${symbolCacheDir(name)}\n` +
      `  results on it are for trying studyopt out; use your candles with: studyopt data import --symbol ${name} --csv <files>\n`,
  );
}
