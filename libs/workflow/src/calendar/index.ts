// Working days in mainland China and the SLA clock of applications: pure, no I/O.
export type { WorkingCalendar } from './working-calendar';
export { ChineseWorkingCalendar } from './chinese-working-calendar';
export { CalendarOverrideError } from './calendar-override-error';
export { validateCalendarOverride } from './calendar-override.validator';
export { shanghaiDate, endOfShanghaiDay } from './shanghai-time';
export { addWorkingDays, workingDaysBetween } from './working-days';
export { computeSla, type ClockPause, type SlaInput, type SlaResult } from './sla-clock';
export { RENEWAL_WINDOW_WORKING_DAYS, renewalWindowOpensOn, renewalWindowCutoff } from './renewal-window';
