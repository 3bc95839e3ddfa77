import { ProblemCode, ProblemError } from '@ecert/common';
import { UKEY_SERIAL_PATTERN } from '@ecert/pki';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

/** A UKey serial as imported (trimmed; letters keep their case), else a 400 naming `field`. */
export function ukeySerialOf(value: unknown, field = 'serial'): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!UKEY_SERIAL_PATTERN.test(s)) throw bad(field, `${field} must be 4-64 letters, digits or hyphens`);
  return s;
}

/** An application id (the workflow-service's UUID), lower-cased, else a 400 naming `field`. */
export function applicationIdOf(value: unknown, field = 'applicationId'): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw bad(field, `${field} must be an application id (a UUID)`);
  return value.toLowerCase();
}

export function uuidOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw bad(field, `${field} must be a UUID`);
  return value.toLowerCase();
}

/** Optional free text (a reason), trimmed, at most `max` characters. */
export function optionalText(value: unknown, field: string, max = 500): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw bad(field, `${field} must be text of at most ${max} characters`);
  const t = value.trim();
  return t.length ? t : undefined;
}

/** Required text of 1..max characters (a vendor, a name). */
export function requiredText(value: unknown, field: string, max = 64): string {
  const t = typeof value === 'string' ? value.trim() : '';
  if (!t || t.length > max || /[\u0000-\u001f\u007f]/.test(t)) throw bad(field, `${field} must be 1-${max} characters`);
  return t;
}

export const ukeyNotFound = (serial: string, field?: string) =>
  new ProblemError(404, ProblemCode.ukeyNotFound, '资源不存在 (not found)', `No UKey with serial ${serial}`, field);
