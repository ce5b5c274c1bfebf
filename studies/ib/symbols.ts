/**
 * Symbols: time zone, IB windows, trading-hours filter and spread (IB_RULES.md §1, §2, §4).
 *
 * GER40 and XAUUSD are built in. Users add or override symbols without code through a JSON
 * file: `$STUDYOPT_SYMBOLS_FILE`, else `symbols.json` in the data directory, shaped as
 * `{ "NAS100": { "timezone": "America/New_York", "ibWindows": ["09:30-10:00"], "spread": 1.0,
 *    "tradingHours": { "timezone": "America/New_York", "fromHour": 9, "toHour": 15 } } }`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { dataDir } from './data-dir.js';
import { isValidTimeZone } from './timezone.js';

/** Bars kept at preparation time (IB_RULES.md §1 "Trading-hours filter"). */
export interface TradingHours {
  /** Zone in which hours and weekdays are judged. */
  timezone: string;
  /** First local hour kept (inclusive), 0-23. */
  fromHour?: number;
  /** Last local hour kept (inclusive), 0-23: GER40 keeps 07:00–22:59, so 7 and 22. */
  toHour?: number;
  /** Local weekdays kept, 0 = Sunday. XAUUSD keeps Monday–Friday judged in UTC. */
  weekdays?: number[];
}

export interface SymbolSpec {
  name: string;
  /** IB time zone: trading days are calendar dates here (IB_RULES.md §1). */
  timezone: string;
  /** IB windows as `HH:MM-HH:MM` local times (IB_RULES.md §2 table). */
  ibWindows: string[];
  /** Full spread in price units; entries and time exits pay half of it (IB_RULES.md §4). */
  spread: number;
  tradingHours: TradingHours;
}

export const BUILTIN_SYMBOLS: Readonly<Record<string, SymbolSpec>> = {
  GER40: {
    name: 'GER40',
    timezone: 'Europe/Berlin',
    ibWindows: ['08:00-08:30', '08:00-09:00', '09:00-09:30'],
    spread: 1.5,
    tradingHours: { timezone: 'Europe/Berlin', fromHour: 7, toHour: 22 },
  },
  XAUUSD: {
    name: 'XAUUSD',
    timezone: 'Asia/Tokyo',
    ibWindows: ['09:00-09:30', '09:00-10:00', '10:00-10:30'],
    // fast_backtest.py uses 0.30; backtest/config.py says 0.25 (IB_RULES.md §8): we follow the
    // optimizer, whose results users carry over.
    spread: 0.3,
    tradingHours: { timezone: 'UTC', weekdays: [1, 2, 3, 4, 5] },
  },
};

/** Path of the user symbol file. */
export function symbolsFilePath(): string {
  const fromEnv = process.env['STUDYOPT_SYMBOLS_FILE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(dataDir(), 'symbols.json');
}

const WINDOW_RE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses `HH:MM-HH:MM` into local minutes of day; throws UsageError naming `where`. */
export function parseIbWindow(window: string, where: string): { startMinute: number; endMinute: number } {
  const m = WINDOW_RE.exec(window);
  if (!m) throw new UsageError(`${where}: IB window "${window}" must look like "08:00-09:00"`);
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  if (endMinute <= startMinute) {
    throw new UsageError(`${where}: IB window "${window}" must end after it starts`);
  }
  return { startMinute, endMinute };
}

function validateSpec(name: string, raw: unknown, source: string): SymbolSpec {
  const where = `${source}: symbol ${name}`;
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`${where} must be an object`);
  const r = raw as Record<string, unknown>;
  const tz = r['timezone'];
  if (typeof tz !== 'string' || !isValidTimeZone(tz)) {
    throw new UsageError(`${where}: "timezone" must be an IANA zone such as "Europe/Berlin", got ${JSON.stringify(tz)}`);
  }
  const windows = r['ibWindows'];
  if (!Array.isArray(windows) || windows.length === 0 || !windows.every((w) => typeof w === 'string')) {
    throw new UsageError(`${where}: "ibWindows" must be a non-empty list such as ["08:00-09:00"]`);
  }
  for (const w of windows as string[]) parseIbWindow(w, where);
  const spread = r['spread'];
  if (typeof spread !== 'number' || !(spread >= 0)) {
    throw new UsageError(`${where}: "spread" must be a number >= 0 (price units), got ${JSON.stringify(spread)}`);
  }
  const th = (r['tradingHours'] ?? { timezone: tz }) as Record<string, unknown>;
  const thTz = th['timezone'] ?? tz;
  if (typeof thTz !== 'string' || !isValidTimeZone(thTz)) {
    throw new UsageError(`${where}: "tradingHours.timezone" must be an IANA zone, got ${JSON.stringify(thTz)}`);
  }
  const hours: TradingHours = { timezone: thTz };
  for (const key of ['fromHour', 'toHour'] as const) {
    const v = th[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 23) {
      throw new UsageError(`${where}: "tradingHours.${key}" must be an integer hour 0-23`);
    }
    hours[key] = v;
  }
  const wd = th['weekdays'];
  if (wd !== undefined) {
    if (!Array.isArray(wd) || !wd.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) {
      throw new UsageError(`${where}: "tradingHours.weekdays" must list weekdays 0 (Sunday) to 6`);
    }
    hours.weekdays = wd as number[];
  }
  return { name, timezone: tz, ibWindows: windows as string[], spread, tradingHours: hours };
}

/** Built-in symbols merged with the user's file (user entries win). */
export function allSymbols(): Record<string, SymbolSpec> {
  const out: Record<string, SymbolSpec> = { ...BUILTIN_SYMBOLS };
  const path = symbolsFilePath();
  if (!existsSync(path)) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message}); fix or remove the symbols file`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${path}: must be a JSON object mapping symbol names to their settings`);
  }
  for (const [name, raw] of Object.entries(parsed)) out[name.toUpperCase()] = validateSpec(name.toUpperCase(), raw, path);
  return out;
}

/** The symbol named `name` (case-insensitive), or a UsageError listing the known ones. */
export function getSymbol(name: string): SymbolSpec {
  const all = allSymbols();
  const spec = all[name.toUpperCase()];
  if (spec === undefined) {
    throw new UsageError(
      `unknown symbol "${name}": known symbols are ${Object.keys(all).join(', ')}; ` +
        `add one in ${symbolsFilePath()} (see docs/ib-strategy.md)`,
    );
  }
  return spec;
}
