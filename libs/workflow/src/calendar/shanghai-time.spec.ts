import { describe, expect, it } from 'vitest';
import { endOfShanghaiDay, shanghaiDate } from './shanghai-time';

describe('shanghaiDate', () => {
  it('is the civil date at UTC+8: 2025-09-30T17:30:00Z is already National Day', () => {
    expect(shanghaiDate(new Date('2025-09-30T17:30:00Z'))).toBe('2025-10-01');
    expect(shanghaiDate(new Date('2025-09-30T15:59:59.999Z'))).toBe('2025-09-30');
    expect(shanghaiDate(new Date('2025-09-30T16:00:00.000Z'))).toBe('2025-10-01');
    expect(shanghaiDate(new Date('2025-10-01T00:00:00+08:00'))).toBe('2025-10-01');
  });

  it('refuses an invalid Date', () => {
    expect(() => shanghaiDate(new Date('nonsense'))).toThrow(RangeError);
  });
});

describe('endOfShanghaiDay', () => {
  it('is 23:59:59.999 +08:00 of the date', () => {
    expect(endOfShanghaiDay('2025-10-09').toISOString()).toBe('2025-10-09T15:59:59.999Z');
    expect(endOfShanghaiDay('2024-02-29').toISOString()).toBe('2024-02-29T15:59:59.999Z');
    expect(endOfShanghaiDay('2025-12-31').toISOString()).toBe('2025-12-31T15:59:59.999Z');
  });

  it('is the last instant of that Shanghai day', () => {
    const end = endOfShanghaiDay('2026-02-14');
    expect(shanghaiDate(end)).toBe('2026-02-14');
    expect(shanghaiDate(new Date(end.getTime() + 1))).toBe('2026-02-15');
  });

  it.each(['2025-02-29', '2025-9-30', '2025-10-01T00:00'])('refuses %j', (d) => {
    expect(() => endOfShanghaiDay(d)).toThrow(RangeError);
  });
});
