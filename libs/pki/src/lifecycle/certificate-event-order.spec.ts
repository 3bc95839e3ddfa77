import { describe, expect, it } from 'vitest';
import { isOlderCertificateEvent } from './certificate-event-order';

const t = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);

describe('isOlderCertificateEvent', () => {
  it('nothing applied yet: never older', () => {
    expect(isOlderCertificateEvent({ version: 2, occurredAt: t('01') }, undefined)).toBe(false);
  });

  it('versions decide when both carry one, whatever the clocks say', () => {
    expect(isOlderCertificateEvent({ version: 2, occurredAt: t('09') }, { version: 3, occurredAt: t('01') })).toBe(true);
    expect(isOlderCertificateEvent({ version: 3, occurredAt: t('01') }, { version: 2, occurredAt: t('09') })).toBe(false);
    // two steps within one millisecond still order
    expect(isOlderCertificateEvent({ version: 2, occurredAt: t('05') }, { version: 3, occurredAt: t('05') })).toBe(true);
  });

  it('the same position again is not older (a redelivery re-applies as a no-op)', () => {
    expect(isOlderCertificateEvent({ version: 3, occurredAt: t('05') }, { version: 3, occurredAt: t('05') })).toBe(false);
  });

  it('without a version on either side the event times decide', () => {
    expect(isOlderCertificateEvent({ occurredAt: t('01') }, { version: 3, occurredAt: t('05') })).toBe(true);
    expect(isOlderCertificateEvent({ version: 4, occurredAt: t('06') }, { version: null, occurredAt: t('05') })).toBe(false);
    expect(isOlderCertificateEvent({ occurredAt: t('05') }, { occurredAt: t('05') })).toBe(false);
  });
});
