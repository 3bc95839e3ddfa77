import { describe, expect, it } from 'vitest';
import { CalendarOverrideError } from './calendar-override-error';
import { validateCalendarOverride } from './calendar-override.validator';

const valid = {
  year: 2031,
  holidays: ['2031-01-02', '2031-01-01'],
  workdays: ['2031-01-04'],
  source: '国办发明电〔2030〕号 (test)',
};

function fieldOf(input: unknown): string {
  try {
    validateCalendarOverride(input);
  } catch (e) {
    expect(e).toBeInstanceOf(CalendarOverrideError);
    return (e as CalendarOverrideError).field;
  }
  throw new Error('accepted');
}

describe('validateCalendarOverride', () => {
  it('returns a clean copy with the dates sorted', () => {
    expect(validateCalendarOverride(valid)).toEqual({
      year: 2031,
      holidays: ['2031-01-01', '2031-01-02'],
      workdays: ['2031-01-04'],
      source: valid.source,
    });
    expect(validateCalendarOverride({ year: 2031, holidays: [], workdays: [] })).toEqual({ year: 2031, holidays: [], workdays: [] });
  });

  it('accepts holidays on weekends and the edge years', () => {
    expect(() => validateCalendarOverride({ year: 2000, holidays: ['2000-01-01'], workdays: [] })).not.toThrow();
    expect(() => validateCalendarOverride({ year: 2100, holidays: [], workdays: ['2100-12-25'] })).not.toThrow();
    expect(() => validateCalendarOverride({ ...valid, source: '源'.repeat(200) })).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['not an object', null, 'override'],
    ['an array', [valid], 'override'],
    ['a string', '2031', 'override'],
    ['an unknown field', { ...valid, workday: ['2031-01-05'] }, 'workday'],
    ['no year', { holidays: [], workdays: [] }, 'year'],
    ['a year as string', { ...valid, year: '2031' }, 'year'],
    ['a fractional year', { ...valid, year: 2031.5 }, 'year'],
    ['a year before 2000', { year: 1999, holidays: [], workdays: [] }, 'year'],
    ['a year after 2100', { year: 2101, holidays: [], workdays: [] }, 'year'],
    ['no holidays', { year: 2031, workdays: [] }, 'holidays'],
    ['holidays not an array', { ...valid, holidays: '2031-01-01' }, 'holidays'],
    ['more than 366 holidays', { ...valid, holidays: Array(367).fill('2031-01-01') }, 'holidays'],
    ['an impossible date', { ...valid, holidays: ['2031-01-01', '2031-02-29'] }, 'holidays[1]'],
    ['an unpadded date', { ...valid, holidays: ['2031-1-1'] }, 'holidays[0]'],
    ['a number as date', { ...valid, holidays: ['2031-01-01', '2031-01-02', 20310103] }, 'holidays[2]'],
    ['a date of another year', { ...valid, holidays: ['2030-12-31'] }, 'holidays[0]'],
    ['a duplicate holiday', { ...valid, holidays: ['2031-01-01', '2031-01-02', '2031-01-01'] }, 'holidays[2]'],
    ['no workdays', { year: 2031, holidays: [] }, 'workdays'],
    ['a weekday as workday', { ...valid, workdays: ['2031-01-04', '2031-01-06'] }, 'workdays[1]'],
    ['a duplicate workday', { ...valid, workdays: ['2031-01-04', '2031-01-04'] }, 'workdays[1]'],
    ['a workday of another year', { ...valid, workdays: ['2032-01-03'] }, 'workdays[0]'],
    ['a date in both lists', { ...valid, holidays: ['2031-01-01', '2031-01-05'], workdays: ['2031-01-04', '2031-01-05'] }, 'workdays[1]'],
    ['a source not a string', { ...valid, source: 42 }, 'source'],
    ['a source of 201 characters', { ...valid, source: '源'.repeat(201) }, 'source'],
  ])('refuses %s, naming %j', (_what, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('says what is wrong in the message', () => {
    expect(() => validateCalendarOverride({ ...valid, workdays: ['2031-01-06'] })).toThrow(
      'workdays[0] 2031-01-06 is not a Saturday or Sunday',
    );
  });
});
