/** An operator's calendar override that cannot be loaded; `field` names the culprit, e.g. 'holidays[2]'. */
export class CalendarOverrideError extends Error {
  readonly code = 'calendar_override_invalid' as const;

  constructor(
    /** 'year', 'holidays[2]', 'source', an unknown key, or 'override' for the input itself. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CalendarOverrideError';
  }
}
