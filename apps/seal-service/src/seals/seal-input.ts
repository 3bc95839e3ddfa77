import { ProblemCode, ProblemError } from '@ecert/common';
import { SealProblemCode } from '@ecert/contracts';
import { SealImageError } from '../images';

/**
 * Checks of what arrives over NATS. The gateway validates too, but a service never trusts its
 * callers' shapes: every field is checked here again and refused with the field named.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace and a data: URL prefix tolerated); `maxBytes` of decoded data at most. */
export function decodeBase64(value: unknown, field: string, maxBytes: number, required = true): Buffer | undefined {
  if (value === undefined || value === null || value === '') {
    if (!required) return undefined;
    throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} is required (base64)`);
  }
  if (typeof value !== 'string') throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be a base64 string`);
  const s = value.replace(/^data:[\w.+/-]+;base64,/, '').replace(/\s+/g, '');
  if (s.length % 4 !== 0 || !BASE64.test(s)) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} is not valid base64`);
  if ((s.length / 4) * 3 > maxBytes + 2) {
    const code = field === 'image' ? SealProblemCode.imageTooLarge : ProblemCode.bodyTooLarge;
    throw new ProblemError(413, code, '数据过大 (too large)', `${field} exceeds ${maxBytes} bytes`, field);
  }
  const out = Buffer.from(s, 'base64');
  if (!out.length && required) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} is empty`);
  return out;
}

export function imageProblem(e: unknown, field: string): unknown {
  if (!(e instanceof SealImageError)) return e;
  return ProblemError.badRequest(e.code, field, e.detail);
}

export function normalizeSerial(value: unknown, field = 'certificateSerial'): string {
  const s = typeof value === 'string' ? value.trim().toLowerCase().replace(/:/g, '') : '';
  if (!/^[0-9a-f]{2,40}$/.test(s)) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be 2-40 hexadecimal digits`);
  return s;
}

export function optionalDate(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be an ISO 8601 date-time`);
  // SES dates are whole seconds
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

export function intInRange(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function text(value: unknown, field: string, max: number, required = true): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || !value.trim() || value.length > max) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be 1-${max} characters`);
  }
  return value.trim();
}

export function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, field, `${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
