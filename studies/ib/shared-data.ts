/**
 * IB market data in shared memory, for the worker pool: the main thread loads a symbol once
 * (`loadSymbolData`), copies its typed arrays once into one SharedArrayBuffer (`toShared`), and
 * every worker's `setup` gets the same memory back as an ordinary `SymbolData` (`fromShared`),
 * zero-copy: structured clone passes a SharedArrayBuffer by reference, so no worker and no trial
 * ever copies a candle.
 *
 * Usage in the objective module (see docs/parallel.md):
 *
 *   export function prepareShared(options) { return toShared(loadSymbolData(options.symbol ?? 'GER40', options)); }
 *   export function setup(options, context) {
 *     const data = context?.shared ? fromShared(context.shared) : loadSymbolData(...);
 *     ...
 *   }
 */
import type { ImportReport } from './data/cache.js';
import type { SymbolData } from './data/store.js';
import type { Bars, IbWindowDays, MarketData } from './market-data.js';
import type { SymbolSpec } from './symbols.js';
import { SharedSignalTables, createSignalTableBuffer } from './engine/shared-signal-tables.js';

type Typed = Int32Array | Float64Array;

/** A SymbolData whose typed arrays all view one SharedArrayBuffer; structured-clonable as is. */
export interface SharedSymbolData {
  readonly kind: 'studyopt-ib-shared-data';
  readonly buffer: SharedArrayBuffer;
  readonly symbol: SymbolSpec;
  readonly bars: Bars;
  readonly dayDate: Int32Array;
  readonly dayStart: Int32Array;
  readonly dayEnd: Int32Array;
  readonly ib: IbWindowDays[];
  readonly report: ImportReport;
  readonly dayFrom: number;
  readonly dayTo: number;
  readonly cacheBytes: number;
  /** The workers' shared signal tables (engine/shared-signal-tables.ts), filled as they are built. */
  readonly signalTables: SharedArrayBuffer;
}

/** Lays typed arrays out in one SharedArrayBuffer, 8-byte aligned, and copies them in once. */
class SharedLayout {
  private bytes = 0;
  private readonly pending: { source: Typed; offset: number; assign: (view: Typed) => void }[] = [];

  add<T extends Typed>(source: T, assign: (view: T) => void): void {
    this.bytes = Math.ceil(this.bytes / 8) * 8;
    this.pending.push({ source, offset: this.bytes, assign: assign as (view: Typed) => void });
    this.bytes += source.byteLength;
  }

  commit(): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(Math.max(8, this.bytes));
    for (const { source, offset, assign } of this.pending) {
      const Ctor = source.constructor as new (b: SharedArrayBuffer, o: number, n: number) => Typed;
      const view = new Ctor(buffer, offset, source.length);
      view.set(source);
      assign(view);
    }
    return buffer;
  }
}

/** Copies the symbol's data into shared memory (once, in the main thread). */
export function toShared(data: SymbolData): SharedSymbolData {
  const md = data.data;
  const layout = new SharedLayout();
  const bars = {} as Bars;
  for (const key of ['time', 'open', 'high', 'low', 'close'] as const) layout.add(md.bars[key] as Typed, (v) => ((bars as unknown as Record<string, Typed>)[key] = v));
  const days = {} as { dayDate: Int32Array; dayStart: Int32Array; dayEnd: Int32Array };
  for (const key of ['dayDate', 'dayStart', 'dayEnd'] as const) layout.add(md[key], (v) => (days[key] = v));
  const ib: IbWindowDays[] = md.ib.map((w) => {
    const out = { window: w.window } as IbWindowDays;
    for (const key of ['startMin', 'endMin', 'ibh', 'ibl', 'startBar', 'endBar'] as const) {
      layout.add(w[key] as Typed, (v) => ((out as unknown as Record<string, Typed>)[key] = v));
    }
    return out;
  });
  const buffer = layout.commit();
  return {
    kind: 'studyopt-ib-shared-data',
    buffer,
    symbol: md.symbol,
    bars,
    ...days,
    ib,
    report: data.report,
    dayFrom: data.dayFrom,
    dayTo: data.dayTo,
    cacheBytes: data.cacheBytes,
    signalTables: createSignalTableBuffer(md.dayDate.length),
  };
}

/** The signal tables every worker on this shared data builds into and reads from (give it to IbEngine). */
export function signalTablesOf(shared: SharedSymbolData): SharedSignalTables {
  return new SharedSignalTables(shared.signalTables);
}

/** The SymbolData over shared memory, as the engine uses it; no copy. */
export function fromShared(shared: SharedSymbolData): SymbolData {
  if (shared?.kind !== 'studyopt-ib-shared-data' || !(shared.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('fromShared: expected the object toShared returned (passed through prepareShared)');
  }
  const data: MarketData = {
    symbol: shared.symbol,
    bars: shared.bars,
    dayDate: shared.dayDate,
    dayStart: shared.dayStart,
    dayEnd: shared.dayEnd,
    ib: shared.ib,
  };
  return { data, report: shared.report, dayFrom: shared.dayFrom, dayTo: shared.dayTo, cacheBytes: shared.cacheBytes };
}

/** Bytes of shared memory the data occupies. */
export function sharedBytes(shared: SharedSymbolData): number {
  return shared.buffer.byteLength;
}

/** True when every typed array of the data views `buffer` (what a worker can check after setup). */
export function isBackedBy(data: MarketData, buffer: SharedArrayBuffer): boolean {
  const arrays: Typed[] = [data.bars.time, data.bars.open, data.bars.high, data.bars.low, data.bars.close, data.dayDate, data.dayStart, data.dayEnd];
  for (const w of data.ib) arrays.push(w.startMin, w.endMin, w.ibh, w.ibl, w.startBar, w.endBar);
  return arrays.every((a) => a.buffer === buffer);
}
