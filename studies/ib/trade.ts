import type { SignalName } from './engine/signals.js';

/** One simulated trade. Times are UTC minutes since the epoch; prices include half spread. */
export interface Trade {
  /** Local trading day (IB time zone), epoch day number. */
  day: number;
  signal: SignalName;
  direction: 'long' | 'short';
  entryTime: number;
  /** Executed entry: tick ± half spread. */
  entryPrice: number;
  /** Initial stop after mirroring and minimum-size widening. */
  stop: number;
  /** Initial target (the first virtual target when trailing). */
  target: number;
  exitTime: number;
  exitPrice: number;
  exitReason: 'stop' | 'target' | 'time' | 'invalid';
  r: number;
  /** R × |executed entry − stop|, in price units (IB_RULES.md §5 total_profit). */
  profit: number;
}
