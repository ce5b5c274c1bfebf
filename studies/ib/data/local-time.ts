import { OffsetTable } from '../timezone.js';

/**
 * Converts naive wall-clock minutes in a zone to UTC minutes, memoised per local hour so that
 * a million rows cost a few hundred Intl calls. A naive time is read with the offset in force
 * at that wall-clock hour; data files have no rows in the DST gap (see data/real README).
 */
export class LocalToUtc {
  private readonly offsets: OffsetTable;
  private readonly byLocalHour = new Map<number, number>();
  readonly isUtc: boolean;

  constructor(readonly timeZone: string) {
    this.offsets = new OffsetTable(timeZone);
    this.isUtc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  }

  toUtc(localMinute: number): number {
    if (this.isUtc) return localMinute;
    const hour = Math.floor(localMinute / 60);
    let off = this.byLocalHour.get(hour);
    if (off === undefined) {
      const naive = hour * 60;
      const guess = naive - this.offsets.offsetAt(naive);
      off = this.offsets.offsetAt(guess);
      this.byLocalHour.set(hour, off);
    }
    return localMinute - off;
  }
}
