import type { InvalidListEntry } from '@ecert/contracts';

export const INVALID_LIST_CSV_COLUMNS = [
  'serial',
  'unitName',
  'uscc',
  'accountNo',
  'regionCode',
  'invalidReason',
  'revocationReason',
  'invalidatedAt',
  'lastActivityAt',
  'notAfter',
  'ukeySerial',
  'caId',
  'profile',
] as const satisfies readonly (keyof InvalidListEntry)[];

/**
 * One RFC 4180 field. A text starting with = + - @ (or a tab / CR) is prefixed with ' so a
 * spreadsheet the offices open it in never runs it as a formula (a unit name is user input).
 */
export function csvField(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(e: InvalidListEntry): string {
  return INVALID_LIST_CSV_COLUMNS.map((c) => csvField(e[c])).join(',') + '\r\n';
}
