import { describe, expect, it } from 'vitest';
import { deliveryOrderKey, eventRegion, eventTypeMatches, isSubscribablePattern, regionsReceive, requiredReadOperation } from './webhook-routing';

const ev = (type: string, data: unknown, aggregateId = 'agg') => ({ id: 'e', type, aggregateId, data });

describe('webhook routing', () => {
  it('names the read operation an event family needs', () => {
    expect(requiredReadOperation('certificate.*')).toBe('certificates:read');
    expect(requiredReadOperation('certificate.invalidated')).toBe('certificates:read');
    expect(requiredReadOperation('seal.revoked')).toBe('seals:read');
    expect(requiredReadOperation('application.*')).toBe('applications:read');
    expect(requiredReadOperation('ukey.bound')).toBeUndefined();
  });

  it('matches exact types and families', () => {
    expect(eventTypeMatches(['certificate.*'], 'certificate.revoked')).toBe(true);
    expect(eventTypeMatches(['certificate.revoked'], 'certificate.revoked')).toBe(true);
    expect(eventTypeMatches(['certificate.revoked'], 'certificate.frozen')).toBe(false);
    expect(eventTypeMatches(['seal.*'], 'certificate.revoked')).toBe(false);
    expect(eventTypeMatches(['cert.*'], 'certificate.revoked')).toBe(false);
  });

  it('knows which patterns may be subscribed to', () => {
    const known = ['certificate.issued', 'certificate.invalidated', 'ukey.imported'];
    expect(isSubscribablePattern('certificate.*', known)).toBe(true);
    expect(isSubscribablePattern('application.*', known)).toBe(true);
    expect(isSubscribablePattern('certificate.invalidated', known)).toBe(true);
    expect(isSubscribablePattern('ukey.imported', known)).toBe(false);
    expect(isSubscribablePattern('ukey.*', known)).toBe(false);
    expect(isSubscribablePattern('certificate.nope', known)).toBe(false);
    expect(isSubscribablePattern('*', known)).toBe(false);
  });

  it('delivers only within the subscriber regions; region-less events only to national ones', () => {
    const e = ev('certificate.issued', { serial: '01', regionCode: '450102' });
    expect(eventRegion(e)).toBe('450102');
    expect(regionsReceive(['450000'], e)).toBe(true);
    expect(regionsReceive(['450100'], e)).toBe(true);
    expect(regionsReceive(['450200'], e)).toBe(false);
    expect(regionsReceive(['440000'], e)).toBe(false);
    expect(regionsReceive(['000000'], e)).toBe(true);
    expect(regionsReceive([], e)).toBe(false);
    const noRegion = ev('certificate.issued', { serial: '01' });
    expect(regionsReceive(['450000'], noRegion)).toBe(false);
    expect(regionsReceive(['000000'], noRegion)).toBe(true);
  });

  it('orders per certificate, seal and application', () => {
    expect(deliveryOrderKey(ev('certificate.frozen', { serial: 'AB' }))).toBe('certificate:AB');
    expect(deliveryOrderKey(ev('seal.revoked', { sealId: 's1' }))).toBe('seal:s1');
    expect(deliveryOrderKey(ev('application.approved', { applicationId: 'a1' }))).toBe('application:a1');
    expect(deliveryOrderKey(ev('seal.renewal-refused', { oldSerial: 'x' }, 'old'))).toBe('seal:old');
  });
});
