import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { eventSubject, type DomainEvent } from '@ecert/contracts';
import { currentRequestId, requestContext } from '@ecert/common';
import { OutboxMessage } from './outbox-message.entity';

/** Who caused the event: the acting client and staff member of the request, or the service. */
function actorOf(): Pick<DomainEvent, 'actor'> {
  const ctx = requestContext.getStore();
  if (!ctx) return {};
  return { actor: { clientId: ctx.clientId ?? null, staffId: ctx.actor ?? null, via: ctx.caller ?? null } };
}

/** A new domain event of the current request (its id, time, request and actor), not yet written anywhere. */
export function newDomainEvent<TData>(type: string, aggregateId: string, data: TData): DomainEvent<string, TData> {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId,
    requestId: currentRequestId(),
    ...actorOf(),
    data,
  };
}

/**
 * Records a domain event inside the caller's transaction. Must be given the transaction's
 * EntityManager: an event written outside it could survive a rolled-back change.
 */
export async function appendEvent<TData>(
  manager: EntityManager,
  type: string,
  aggregateId: string,
  data: TData,
): Promise<DomainEvent<string, TData>> {
  const event = newDomainEvent(type, aggregateId, data);
  await manager.insert(OutboxMessage, {
    id: event.id,
    subject: eventSubject(type),
    type,
    aggregateId,
    payload: event as unknown as object,
  });
  return event;
}
