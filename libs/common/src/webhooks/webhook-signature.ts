import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of webhook deliveries (the header `Ecert-Webhook-Signature`), in the manner of
 * Stripe's: `t=<unix seconds>,v1=<hex>[,v1=<hex>]`, each v1 being HMAC-SHA256 with one secret of
 * the subscription over `<t>.<raw body>`. Two v1 values are sent while a rotated-out secret is
 * still in its grace period, so a receiver may switch secrets at its own pace. The timestamp is
 * signed too: a receiver refusing old timestamps cannot be fed a captured delivery again later.
 *
 * Receivers may copy `verifyWebhookSignature` as it is: it needs nothing but node:crypto.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'Ecert-Webhook-Signature';

/** How far a receiver should let the signed timestamp lie from its clock, by default. */
export const WEBHOOK_SIGNATURE_TOLERANCE_SECONDS = 300;

export function webhookSignatureValue(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value for a delivery signed now (or at `timestamp`) with every secret given, newest first. */
export function signWebhook(secrets: readonly string[], rawBody: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string {
  if (!secrets.length) throw new Error('a webhook is signed with at least one secret');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${webhookSignatureValue(s, timestamp, rawBody)}`)].join(',');
}

export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

/**
 * Checks a delivery's header against the receiver's secret and the raw body bytes exactly as
 * received (not re-serialised JSON). Any one v1 value matching is enough.
 */
export function verifyWebhookSignature(
  header: string | undefined | null,
  rawBody: string | Buffer,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): WebhookVerification {
  if (typeof header !== 'string' || header.length > 4096) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || !signatures.length) return { ok: false, reason: 'malformed' };
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (opts.toleranceSeconds ?? WEBHOOK_SIGNATURE_TOLERANCE_SECONDS)) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(webhookSignatureValue(secret, timestamp, rawBody), 'hex');
  // Compare against every value (no early exit), each in constant time.
  let match = false;
  for (const s of signatures) match = timingSafeEqual(s, expected) || match;
  return match ? { ok: true, timestamp } : { ok: false, reason: 'no_matching_signature' };
}
