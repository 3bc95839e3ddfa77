/** An open application past its overall due date or its current tier's (the list's ?overdue=true). */
export const SLA_BREACH_SQL = `a.closed_at IS NULL AND (a.due_at < now() OR a.step_due_at < now())`;
