import { maskPhone } from '../validation/phone.validator';
import { maskResidentId } from '../validation/resident-id.validator';

const RESIDENT_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
// Bounded by letters too, like RESIDENT_ID: an event id (UUID) or a hex serial may hold eleven
// digits that look like a mobile number (…-16018478921d…), and masking them corrupted the id.
const MOBILE = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/g;
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SENSITIVE_KEYS = /^(idNumber|residentId|phone|mobile|password|pin|passphrase|apiKey|secret|token|signature|privateKey)$/i;

/**
 * A copy of `value` fit for logs and audit payloads: resident ID numbers and mobile numbers are
 * masked wherever they appear, secrets under well-known keys are dropped, long blobs shortened.
 */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') {
    const s = storable(value.length > 512 ? `${value.slice(0, 64)}…(${value.length} chars)` : value);
    return s.replace(RESIDENT_ID, (m) => maskResidentId(m)).replace(MOBILE, (m) => maskPhone(m));
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => maskPersonalData(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const k = storable(key);
      if (SENSITIVE_KEYS.test(k)) {
        out[k] = typeof v === 'string' && /idNumber|residentId/i.test(k) ? maskResidentId(v) : typeof v === 'string' && /phone|mobile/i.test(k) ? maskPhone(v) : '[redacted]';
      } else {
        out[k] = maskPersonalData(v, depth + 1);
      }
    }
    return out;
  }
  return value;
}

/**
 * PostgreSQL text and jsonb refuse NUL and lone surrogates; a caller's string carrying them must
 * not make an audit batch (other callers' records included) fail to insert.
 */
export function storable(s: string): string {
  return s.replace(UNSTORABLE, '\uFFFD');
}
