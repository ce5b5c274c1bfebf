// formatLocalMinute: UTC minutes shown as the exchange's wall clock, across DST changes.
import { describe, expect, it } from 'vitest';
import { OffsetTable, formatLocalMinute } from '../../studies/ib/timezone.js';

const utc = (iso: string) => Date.parse(`${iso}:00Z`) / 60_000;

describe('formatLocalMinute', () => {
  it('Europe/Berlin: +1 h in winter, +2 h in summer, across both changes of 2024', () => {
    const berlin = new OffsetTable('Europe/Berlin');
    expect(formatLocalMinute(utc('2024-01-15T08:00'), berlin)).toBe('2024-01-15 09:00');
    // Spring forward on 2024-03-31 at 01:00 UTC: 01:59 CET is followed by 03:00 CEST.
    expect(formatLocalMinute(utc('2024-03-31T00:59'), berlin)).toBe('2024-03-31 01:59');
    expect(formatLocalMinute(utc('2024-03-31T01:00'), berlin)).toBe('2024-03-31 03:00');
    expect(formatLocalMinute(utc('2024-03-31T01:30'), berlin)).toBe('2024-03-31 03:30');
    expect(formatLocalMinute(utc('2024-07-01T06:15'), berlin)).toBe('2024-07-01 08:15');
    // Fall back on 2024-10-27 at 01:00 UTC: 02:59 CEST is followed by 02:00 CET.
    expect(formatLocalMinute(utc('2024-10-27T00:59'), berlin)).toBe('2024-10-27 02:59');
    expect(formatLocalMinute(utc('2024-10-27T01:00'), berlin)).toBe('2024-10-27 02:00');
    expect(formatLocalMinute(utc('2024-10-28T07:00'), berlin)).toBe('2024-10-28 08:00');
  });

  it('Asia/Tokyo: +9 h all year, the date rolls over', () => {
    const tokyo = new OffsetTable('Asia/Tokyo');
    expect(formatLocalMinute(utc('2024-03-31T01:00'), tokyo)).toBe('2024-03-31 10:00');
    expect(formatLocalMinute(utc('2024-12-31T20:05'), tokyo)).toBe('2025-01-01 05:05');
  });

  it('UTC is the identity', () => {
    const t = utc('2025-06-30T23:59');
    expect(formatLocalMinute(t, new OffsetTable('UTC'))).toBe('2025-06-30 23:59');
  });
});
