import { endOfShanghaiDayNumber, shanghaiDayNumber } from './shanghai-time';
import type { WorkingCalendar } from './working-calendar';
import { WorkingDayCounter } from './working-day-counter';
import { requireDayCount } from './working-days';

/** A stretch during which the clock stood still (returned for supplement); `to` undefined = still paused. */
export interface ClockPause {
  from: Date;
  to?: Date;
}

export interface SlaInput {
  calendar: WorkingCalendar;
  startedAt: Date;
  limitWorkingDays: number;
  pauses: readonly ClockPause[];
  now: Date;
  /** When the application reached its end; the clock stops there. */
  finishedAt?: Date;
}

export interface SlaResult {
  /** End of the last working day allowed (Asia/Shanghai), pauses added. */
  dueAt: Date;
  overdue: boolean;
  /** Working days covered by the pauses, pushed onto the due date. */
  pausedWorkingDays: number;
  /** An open pause: the clock stands still now. */
  paused: boolean;
  calendarIncomplete: boolean;
  /** Working days of the limit spent by (finishedAt ?? now): after day 0, paused days excluded; the limit on the due day. */
  workingDaysUsed: number;
}

/**
 * The clock stops while an application waits for the applicant's supplement: each pause pushes the
 * due date by the working days it covered (workingDaysBetween(pause.from, pause.to ?? now)). While
 * paused the application is never overdue. overdue = (finishedAt ?? now) > dueAt and not paused.
 *
 * Once finishedAt is set, an open pause ends there and nothing depends on `now` any more, so a
 * finished application's result does not drift. Overlapping pauses count their common days once.
 */
export function computeSla(input: SlaInput): SlaResult {
  const { calendar, startedAt, limitWorkingDays, pauses, now, finishedAt } = input;
  requireDayCount(limitWorkingDays, 'limitWorkingDays');
  const counter = new WorkingDayCounter(calendar);
  const clockEnd = finishedAt ?? now;
  const day0 = counter.firstFrom(shanghaiDayNumber(startedAt));

  // Each pause covers the civil days (day of from, day of to]; merged so overlaps count once.
  const spans = pauses
    .map((p) => [shanghaiDayNumber(p.from), shanghaiDayNumber(p.to ?? clockEnd)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const pausedWorkingDays = merged.reduce((n, [a, b]) => n + counter.count(a, b), 0);

  const dueAt = endOfShanghaiDayNumber(counter.advance(day0, limitWorkingDays + pausedWorkingDays));
  const paused = finishedAt === undefined && pauses.some((p) => p.to === undefined);

  const endDay = shanghaiDayNumber(clockEnd);
  const pausedSoFar = merged.reduce((n, [a, b]) => n + counter.count(Math.max(a, day0), Math.min(b, endDay)), 0);
  const workingDaysUsed = Math.max(0, counter.count(day0, endDay) - pausedSoFar);

  return {
    dueAt,
    overdue: !paused && clockEnd.getTime() > dueAt.getTime(),
    pausedWorkingDays,
    paused,
    calendarIncomplete: counter.incomplete,
    workingDaysUsed,
  };
}
