/**
 * Wall-clock ↔ UTC conversions for IANA time zones, with no tz-database dependency.
 *
 * Node 20 ships full ICU, so `Intl.DateTimeFormat` knows every zone's rules. Intl is slow
 * (microseconds per call), so callers convert once per day or per hour and keep the result;
 * nothing here is meant to be called per bar.
 *
 * Times are whole UTC minutes since the Unix epoch (`number`), the unit of the bar arrays.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this Node build knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday ... 6 = Saturday, in the zone. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock in `timeZone` at UTC minute `utcMinute`. */
export function wallClockAt(utcMinute: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMinute * 60_000));
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, weekday: 0 };
  for (const p of parts) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value); break;
      case 'minute': out.minute = Number(p.value); break;
      case 'weekday': out.weekday = WEEKDAYS[p.value] ?? 0; break;
      default: break;
    }
  }
  return out;
}

/** Minutes to add to UTC to get the zone's wall clock at `utcMinute` (Berlin winter: +60). */
export function utcOffsetMinutes(utcMinute: number, timeZone: string): number {
  const w = wallClockAt(utcMinute, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) / 60_000;
  return asUtc - utcMinute;
}

/** Days since 1970-01-01 of a calendar date. */
export function epochDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

/** `YYYY-MM-DD` of an epoch day. */
export function epochDayToIso(epochDayNumber: number): string {
  return new Date(epochDayNumber * 86_400_000).toISOString().slice(0, 10);
}

/** Epoch day of a `YYYY-MM-DD` string, or NaN when it is not a real date. */
export function isoToEpochDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ed = epochDay(y, mo, d);
  return epochDayToIso(ed) === iso ? ed : Number.NaN;
}

/**
 * UTC minute of the wall-clock time `minuteOfDay` on local date `localEpochDay` in `timeZone`
 * (IB_RULES.md §1: windows are local wall-clock times localized DST-correctly). Two passes of
 * the offset fixed point. Times inside a DST gap or overlap (02:00–03:00 local) resolve to one
 * of their readings; session windows (07:00–23:00) never fall there.
 */
export function zonedToUtcMinute(localEpochDay: number, minuteOfDay: number, timeZone: string): number {
  const naive = localEpochDay * 1440 + minuteOfDay;
  const guess = naive - utcOffsetMinutes(naive, timeZone);
  return naive - utcOffsetMinutes(guess, timeZone);
}

/**
 * A memo of the zone's UTC offset by UTC hour, so that assigning each of a million bars to its
 * local date costs one Map lookup instead of one Intl call. Within an hour whose start and end
 * offsets differ (a DST transition) it falls back to an exact per-minute Intl call.
 */
export class OffsetTable {
  private readonly byHour = new Map<number, number>();
  constructor(readonly timeZone: string) {}

  private hourOffset(hour: number): number {
    let off = this.byHour.get(hour);
    if (off === undefined) {
      off = utcOffsetMinutes(hour * 60, this.timeZone);
      this.byHour.set(hour, off);
    }
    return off;
  }

  offsetAt(utcMinute: number): number {
    const hour = Math.floor(utcMinute / 60);
    const off = this.hourOffset(hour);
    if (off === this.hourOffset(hour + 1)) return off;
    return utcOffsetMinutes(utcMinute, this.timeZone);
  }

  /** Local minutes since the epoch (wall clock read as if it were UTC). */
  localMinute(utcMinute: number): number {
    return utcMinute + this.offsetAt(utcMinute);
  }
}

/**
 * `YYYY-MM-DD HH:MM` of the wall clock in `table`'s zone at UTC minute `utcMinute` (trade times
 * shown in the exchange's local time; DST-correct, one Map lookup per call outside transitions).
 */
export function formatLocalMinute(utcMinute: number, table: OffsetTable): string {
  return new Date(table.localMinute(utcMinute) * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}
