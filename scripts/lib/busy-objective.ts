/**
 * An objective module for storage benchmarks: 11 parameters of every kind, then `busyMs`
 * (moduleOptions, default 1) of CPU, as the storage benchmark's in-thread objective.
 */
import type { Trial } from '../../src/trial.js';

let busyMs = 1;

export function setup(options: { busyMs?: number } = {}): void {
  busyMs = options.busyMs ?? 1;
}

export function objective(trial: Trial): number {
  const s = elevenParameters(trial);
  busy(busyMs);
  return s;
}

/** Suggests 11 parameters of every kind; returns a value that depends on all of them. */
export function elevenParameters(trial: Trial): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += trial.suggestFloat(`f${i}`, -5, 5) ** 2;
  s += trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
  for (let i = 0; i < 3; i++) s += trial.suggestInt(`n${i}`, 1, 100);
  s += trial.suggestCategorical('c', ['a', 'b', 'c']) === 'a' ? 1 : 0;
  s += trial.suggestOrdinal('w', [40, 60, 90, 120]);
  s += trial.suggestFloat('s', 0, 1, { step: 0.25 });
  return s;
}

/** Spins for `ms` milliseconds: a CPU-bound objective. */
export function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}
