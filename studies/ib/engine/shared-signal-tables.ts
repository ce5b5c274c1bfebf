/**
 * Signal tables shared by the workers of a pool: each table is built once, by the first worker
 * that needs it, into shared memory, and every other worker reads it there. Without this, every
 * worker built every table itself (a cold start of seconds per worker on the expanded grid, the
 * same work N times, and N copies in memory).
 *
 * The memory is one SharedArrayBuffer made in the main thread next to the candles
 * (shared-data.ts `toShared`): a header, an open-addressing hash table of slots, and a data area
 * of fixed-size tables (one table's typed arrays for every trading day). A slot is
 * [hash1, hash2, state, byte offset]; keys are told apart by their two 32-bit hashes (FNV-1a
 * with two seeds), enough for the few thousand keys of a grid. The first worker to
 * compare-and-swap hash1 into an empty slot builds the table; the others wait on the slot's
 * state (Atomics.wait) and then view the same bytes. Whatever cannot be shared (the data area is
 * full, the builder failed or vanished) is built locally, as before: sharing changes where a
 * table lives, never what it holds.
 */
import type { SignalTable } from './signal-table.js';

const HEADER_INTS = 4; // [0] next free byte of the data area, [1] slots, [2] days, [3] bytes per table
const SLOT_INTS = 4; // hash1, hash2, state, byte offset of the table
const HASH1 = 0;
const HASH2 = 1;
const STATE = 2;
const OFFSET = 3;
/** Slot states: claimed (the table is being built), ready, or "build it yourself". */
const CLAIMED = 0;
const READY = 1;
const LOCAL = 2;
/** How long a worker waits for another's build before building the table itself (a dead builder). */
const WAIT_MS = 60_000;
/** The most memory the data area takes, whatever the history's length. */
const MAX_DATA_BYTES = 256 * 2 ** 20;
/** The number of tables the data area is sized for (the engine's own cache holds as many). */
export const MAX_SHARED_TABLES = 4096;

/** Bytes of one table for `days` trading days: five Float64 columns, one Int32, two Int8, 8-aligned. */
function tableBytes(days: number): number {
  return Math.ceil((days * (5 * 8 + 4 + 2)) / 8) * 8;
}

/**
 * The shared memory for the signal tables of a symbol with `days` trading days (main thread),
 * room for at most `maxTables` of them (and MAX_DATA_BYTES); the rest are built per worker.
 */
export function createSignalTableBuffer(days: number, maxTables = MAX_SHARED_TABLES): SharedArrayBuffer {
  const perTable = tableBytes(days);
  const tables = Math.max(1, Math.min(maxTables, Math.floor(MAX_DATA_BYTES / Math.max(8, perTable))));
  let slots = 1;
  while (slots < 2 * tables) slots *= 2; // at most half full: short probe sequences
  const dataStart = (HEADER_INTS + slots * SLOT_INTS) * 4;
  // Untouched pages of a SharedArrayBuffer cost no memory: only the tables built take any.
  const buffer = new SharedArrayBuffer(dataStart + tables * perTable);
  const header = new Int32Array(buffer, 0, HEADER_INTS);
  header[0] = 0;
  header[1] = slots;
  header[2] = days;
  header[3] = perTable;
  return buffer;
}

/** FNV-1a over the key's UTF-16 code units from `basis`; never 0 (0 marks an empty slot). */
function fnv1a(key: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h;
}

export class SharedSignalTables {
  private readonly ints: Int32Array;
  private readonly slots: number;
  private readonly days: number;
  private readonly perTable: number;
  private readonly dataStart: number;
  private readonly dataBytes: number;

  constructor(private readonly buffer: SharedArrayBuffer) {
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    this.slots = header[1];
    this.days = header[2];
    this.perTable = header[3];
    this.dataStart = (HEADER_INTS + this.slots * SLOT_INTS) * 4;
    this.dataBytes = buffer.byteLength - this.dataStart;
    this.ints = new Int32Array(buffer, 0, HEADER_INTS + this.slots * SLOT_INTS);
  }

  /** The table for `key`: read from shared memory, or built by `build` (here, once, for everyone). */
  get(key: string, build: () => SignalTable): SignalTable {
    const h1 = fnv1a(key, 0x811c9dc5);
    const h2 = fnv1a(key, 0x050c5d1f);
    const mask = this.slots - 1;
    for (let probe = 0, i = h1 & mask; probe < this.slots; probe++, i = (i + 1) & mask) {
      const slot = HEADER_INTS + i * SLOT_INTS;
      const seen = Atomics.compareExchange(this.ints, slot + HASH1, 0, h1);
      if (seen === 0) return this.buildInto(slot, h2, build);
      if (seen !== h1) continue;
      // The claimer writes hash2 right after its claim: wait for it to tell the keys apart.
      const other = this.waitWhile(slot + HASH2, 0);
      if (other === 0) return build();
      if (other !== h2) continue;
      const state = this.waitWhile(slot + STATE, CLAIMED);
      return state === READY ? this.viewAt(Atomics.load(this.ints, slot + OFFSET)) : build();
    }
    return build(); // every slot taken: more keys than the table was sized for
  }

  /** Builds the claimed slot's table into shared memory and publishes it. */
  private buildInto(slot: number, h2: number, build: () => SignalTable): SignalTable {
    Atomics.store(this.ints, slot + HASH2, h2);
    Atomics.notify(this.ints, slot + HASH2);
    const offset = Atomics.add(this.ints, 0, this.perTable);
    if (offset + this.perTable > this.dataBytes) {
      this.publish(slot, LOCAL);
      return build();
    }
    let built: SignalTable;
    try {
      built = build();
    } catch (err) {
      this.publish(slot, LOCAL);
      throw err;
    }
    const view = this.viewAt(offset);
    for (const column of Object.keys(view) as (keyof SignalTable)[]) view[column].set(built[column]);
    Atomics.store(this.ints, slot + OFFSET, offset);
    this.publish(slot, READY);
    return view;
  }

  private publish(slot: number, state: number): void {
    Atomics.store(this.ints, slot + STATE, state);
    Atomics.notify(this.ints, slot + STATE);
  }

  /** Waits (up to WAIT_MS) while ints[index] holds `value`; returns what it holds then. */
  private waitWhile(index: number, value: number): number {
    const deadline = Date.now() + WAIT_MS;
    let now: number;
    while (Atomics.load(this.ints, index) === value && (now = Date.now()) < deadline) {
      Atomics.wait(this.ints, index, value, deadline - now);
    }
    return Atomics.load(this.ints, index);
  }

  /** A table's columns over its bytes in the data area. */
  private viewAt(offset: number): SignalTable {
    const n = this.days;
    let at = this.dataStart + offset;
    const f64 = (): Float64Array => {
      const a = new Float64Array(this.buffer, at, n);
      at += n * 8;
      return a;
    };
    const raw = f64();
    const tick = f64();
    const stopIbStart = f64();
    const stopEq = f64();
    const stopCisd = f64();
    const entryBar = new Int32Array(this.buffer, at, n);
    at += n * 4;
    const kind = new Int8Array(this.buffer, at, n);
    const dir = new Int8Array(this.buffer, at + n, n);
    return { kind, dir, entryBar, raw, tick, stopIbStart, stopEq, stopCisd };
  }
}
