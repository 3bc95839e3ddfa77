import { ProblemCode, ProblemError } from '@ecert/common';
import { UKEY_SERIAL_PATTERN } from '@ecert/pki';

/** A 400 naming the field, as every refusal of bad input here. */
export const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

/** A person's reason (withdrawal, abort): trimmed, NFKC, 1-500 characters. */
export function reasonOf(v: unknown, what: string): string {
  const reason = typeof v === 'string' ? v.normalize('NFKC').trim() : '';
  if (!reason || reason.length > 500) throw bad('reason', `${what} states its reason (1-500 characters)`);
  return reason;
}

export function ukeySerialOf(v: unknown): string {
  const serial = typeof v === 'string' ? v.trim() : '';
  if (!UKEY_SERIAL_PATTERN.test(serial)) throw bad('ukeySerial', 'ukeySerial must be 4-64 letters, digits or hyphens');
  return serial;
}
