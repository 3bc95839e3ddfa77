import { eventPublisher, type DomainEvent } from '@ecert/contracts';
import type { AuditEntry } from '../audit-trail.service';

/**
 * The audit record of a domain event: what a service changed on its own (seals following their
 * certificate, workflow steps) or on behalf of a request. The client and staff member come from
 * the event's actor; `actor` names the service that made the change.
 */
export function eventAuditEntry(event: DomainEvent): AuditEntry {
  const actor = event.actor;
  return {
    action: `event.${event.type}`,
    target: event.aggregateId ?? null,
    outcome: 'success',
    clientId: actor?.clientId ?? null,
    staffId: actor?.staffId ?? null,
    actor: eventPublisher(event.type) ?? 'unknown-service',
    requestId: event.requestId ?? `event:${event.id}`,
    details: { eventId: event.id, occurredAt: event.occurredAt, ...(actor?.via ? { via: actor.via } : {}), data: event.data },
  };
}
