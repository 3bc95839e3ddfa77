import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature, webhookSignatureValue } from './webhook-signature';

const body = '{"id":"e1","type":"certificate.issued","data":{"serial":"01"}}';

describe('webhook signatures', () => {
  it('signs <t>.<body> with HMAC-SHA256 and verifies it', () => {
    const header = signWebhook(['whsec_a'], body, 1_700_000_000);
    expect(header).toBe(`t=1700000000,v1=${webhookSignatureValue('whsec_a', 1_700_000_000, body)}`);
    expect(verifyWebhookSignature(header, body, 'whsec_a', { now: 1_700_000_010 })).toEqual({ ok: true, timestamp: 1_700_000_000 });
  });

  it('accepts either secret while both are sent (rotation grace)', () => {
    const header = signWebhook(['new', 'old'], body, 100);
    expect(header.split(',v1=')).toHaveLength(3);
    expect(verifyWebhookSignature(header, body, 'new', { now: 100 }).ok).toBe(true);
    expect(verifyWebhookSignature(header, body, 'old', { now: 100 }).ok).toBe(true);
    expect(verifyWebhookSignature(header, body, 'other', { now: 100 })).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses a changed body, a changed timestamp and an old timestamp', () => {
    const header = signWebhook(['s'], body, 1000);
    expect(verifyWebhookSignature(header, body.replace('01', '02'), 's', { now: 1000 }).ok).toBe(false);
    expect(verifyWebhookSignature(header.replace('t=1000', 't=1001'), body, 's', { now: 1000 }).ok).toBe(false);
    expect(verifyWebhookSignature(header, body, 's', { now: 1000 + 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhookSignature(header, body, 's', { now: 1000 + 301, toleranceSeconds: 600 }).ok).toBe(true);
  });

  it('refuses malformed headers', () => {
    for (const h of [undefined, '', 't=1', 'v1=' + 'a'.repeat(64), 't=x,v1=' + 'a'.repeat(64), 't=1,v1=zz', 'x'.repeat(5000)]) {
      expect(verifyWebhookSignature(h, body, 's', { now: 1 })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('verifies raw bytes as well as strings', () => {
    const header = signWebhook(['s'], Buffer.from(body), 5);
    expect(verifyWebhookSignature(header, Buffer.from(body), 's', { now: 5 }).ok).toBe(true);
    expect(verifyWebhookSignature(header, body, 's', { now: 5 }).ok).toBe(true);
  });
});
