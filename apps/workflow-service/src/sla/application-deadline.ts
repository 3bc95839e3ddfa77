import type { DeadlineView } from '@ecert/contracts';
import { addWorkingDays, computeSla, routeOf, type WorkingCalendar } from '@ecert/workflow';
import type { ApplicationEntity } from '../applications/entities/application.entity';

/**
 * An application's deadline in working days from its acceptance, with the time it waited for the
 * applicant's supplement added back, and the current tier's own limit. The clock stops when the
 * UKey is sent to the city office (办理完毕) or the application closes.
 */
export function deadlineOf(app: ApplicationEntity, calendar: WorkingCalendar, now = new Date()): DeadlineView | undefined {
  if (!app.acceptedAt) return undefined;
  const finished = app.closedAt ?? (app.results.dispatchedAt ? new Date(app.results.dispatchedAt) : undefined);
  const sla = computeSla({
    calendar,
    startedAt: app.acceptedAt,
    limitWorkingDays: app.limitWorkingDays,
    pauses: app.pauses.map((p) => ({ from: new Date(p.from), ...(p.to ? { to: new Date(p.to) } : {}) })),
    now,
    ...(finished ? { finishedAt: finished } : {}),
  });
  let stepDueAt: Date | undefined;
  let incomplete = sla.calendarIncomplete;
  if (app.status === 'under_review' && app.tier && app.tierEnteredAt) {
    const limit = routeOf(app.type, app.channel)?.tierLimitWorkingDays[app.tier];
    if (limit !== undefined) {
      const step = addWorkingDays(calendar, app.tierEnteredAt, limit);
      stepDueAt = step.dueAt;
      incomplete ||= step.calendarIncomplete;
    }
  }
  const stepOverdue = stepDueAt !== undefined && now > stepDueAt;
  return {
    limitWorkingDays: app.limitWorkingDays,
    dueAt: sla.dueAt.toISOString(),
    ...(stepDueAt ? { stepDueAt: stepDueAt.toISOString() } : {}),
    overdue: sla.overdue || stepOverdue,
    pausedWorkingDays: sla.pausedWorkingDays,
    ...(incomplete ? { calendarIncomplete: true as const } : {}),
  };
}

/** Keeps the columns the overdue list filters on in step with the application's state. */
export function refreshDueColumns(app: ApplicationEntity, calendar: WorkingCalendar, now = new Date()): void {
  const d = deadlineOf(app, calendar, now);
  const paused = app.pauses.some((p) => !p.to);
  const finished = app.closedAt || app.results.dispatchedAt;
  app.dueAt = d && !paused && !finished ? new Date(d.dueAt) : null;
  app.stepDueAt = d?.stepDueAt && !paused && !finished ? new Date(d.stepDueAt) : null;
}
