import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { loadConfig } from '@ecert/common';
import { bulkEventSubject, BulkEventSubjects, eventArrivesOn, eventSubject, natsPrefix, type DomainEvent } from '@ecert/contracts';
import { BusIdentity } from '../identity/bus-identity';
import { EventConsumer } from './event-consumer';

/**
 * What an events consumer believes, before any database: its type's publisher signed it, and it
 * came on its type's subject — the bulk lane's only for the bulk types (BULK_EVENT_TYPES).
 */
const config = loadConfig({});
const cert = BusIdentity.fromConfig(config, 'cert-service');
const consumer = new EventConsumer(null as never, null as never, pino({ level: 'silent' }), {
  name: 'spec',
  filterSubject: `${natsPrefix}.>`,
  handler: async () => undefined,
  verifier: BusIdentity.fromConfig(config, 'seal-service'),
  provision: false,
});

function signed(type: string, by: BusIdentity = cert): { event: DomainEvent; body: Uint8Array; signer: string; signature: string } {
  const event: DomainEvent = { id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), aggregateId: 'ab', data: { serial: 'ab' } };
  const body = new TextEncoder().encode(JSON.stringify(event));
  return { event, body, signer: by.principal, signature: by.signBytes(body) };
}
const why = (s: ReturnType<typeof signed>, subject: string) => consumer.forgery(s.event, subject, s.body, s.signer, s.signature);

describe('EventConsumer: the subject an event came on', () => {
  it('takes a certificate.invalidated on the bulk lane and on its ordinary subject (rows written before the lane existed)', () => {
    const s = signed('certificate.invalidated');
    expect(BulkEventSubjects.certificateInvalidated).toBe(`${natsPrefix}.bulk.v1.certificate.invalidated`);
    expect(why(s, bulkEventSubject('certificate.invalidated'))).toBeUndefined();
    expect(why(s, eventSubject('certificate.invalidated'))).toBeUndefined();
  });

  it('refuses a genuinely signed freeze on the bulk lane, or on another type\'s subject', () => {
    const s = signed('certificate.frozen');
    expect(why(s, eventSubject('certificate.frozen'))).toBeUndefined();
    expect(why(s, `${natsPrefix}.bulk.v1.certificate.frozen`)).toMatch(/does not travel on/);
    expect(why(s, bulkEventSubject('certificate.invalidated'))).toMatch(/does not travel on/);
    expect(why(s, eventSubject('certificate.unfrozen'))).toMatch(/does not travel on/);
    // and an invalidation on a freeze's subject
    expect(why(signed('certificate.invalidated'), eventSubject('certificate.frozen'))).toMatch(/does not travel on/);
  });

  it('refuses another prefix (another deployment\'s or test run\'s subjects)', () => {
    const s = signed('certificate.invalidated');
    expect(eventArrivesOn('certificate.invalidated', `other.bulk.v1.certificate.invalidated`)).toBe(false);
    expect(why(s, `x${natsPrefix}.bulk.v1.certificate.invalidated`)).toMatch(/does not travel on/);
  });

  it('still refuses a bulk-lane event not signed by its publisher', () => {
    const s = signed('certificate.invalidated', BusIdentity.fromConfig(config, 'seal-service'));
    expect(why(s, bulkEventSubject('certificate.invalidated'))).toMatch(/must come from cert-service/);
  });

  it('refuses an event whose id is not a canonical UUID (the inbox would record it under another spelling)', () => {
    const s = signed('certificate.frozen');
    const respelled = (id: string) => {
      const event = { ...s.event, id };
      const body = new TextEncoder().encode(JSON.stringify(event));
      return consumer.forgery(event, eventSubject('certificate.frozen'), body, s.signer, cert.signBytes(body));
    };
    expect(respelled(s.event.id)).toBeUndefined();
    for (const id of [s.event.id.toUpperCase(), `{${s.event.id}}`, s.event.id.replace(/-/g, ''), 'evt-1']) expect(respelled(id), id).toMatch(/canonical/);
  });
});
