import { SesDecodeError } from '../ses-errors';
import { TAG, type DecodeContext, type DerNode } from './der-reader';
import { derTlv } from './der-writer';

/**
 * GeneralizedTime (GB/T 38540) and UTCTime (GM/T 0031) in whole seconds, UTC ("Z"). Reading also
 * accepts fractions and ±hhmm offsets, and either type wherever the other is specified: real v1
 * seals carry GeneralizedTime and the decoder should not care.
 */

const ASCII = new TextEncoder();

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function checkDate(date: Date, what: string): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`${what} is not a valid date`);
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export function derGeneralizedTime(date: Date): Uint8Array {
  const d = checkDate(date, 'GeneralizedTime');
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError('GeneralizedTime year out of range 0000-9999');
  const s = `${pad(y, 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return derTlv(TAG.GENERALIZED_TIME, ASCII.encode(s));
}

/** UTCTime covers 1950-2049 only (RFC 5280 §4.1.2.5.1 convention). */
export function derUtcTime(date: Date): Uint8Array {
  const d = checkDate(date, 'UTCTime');
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new RangeError('UTCTime can only encode the years 1950-2049');
  const s = `${pad(y % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return derTlv(TAG.UTC_TIME, ASCII.encode(s));
}

const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/;
const UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?$/;

/** Reads a GeneralizedTime or UTCTime element. */
export function readTime(node: DerNode | undefined, path: string, what: string, ctx?: DecodeContext): Date {
  if (!node) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what} is missing`);
  if (node.tag !== TAG.GENERALIZED_TIME && node.tag !== TAG.UTC_TIME) {
    throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what} expected a GeneralizedTime or UTCTime, found tag 0x${node.tag.toString(16)}`);
  }
  const text = new TextDecoder('latin1').decode(node.content);
  const date = parseTimeText(text, node.tag === TAG.UTC_TIME ? 'utc' : 'generalized', path, what, ctx);
  if (!date) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what}: unreadable time "${text}"`);
  return date;
}

/** undefined when `text` is not a time of that kind. */
export function parseTimeText(
  text: string,
  kind: 'utc' | 'generalized',
  path: string,
  what: string,
  ctx?: DecodeContext,
): Date | undefined {
  let year: number;
  let rest: (string | undefined)[];
  let zone: string | undefined;
  let fraction: string | undefined;
  if (kind === 'generalized') {
    const m = GENERALIZED.exec(text);
    if (!m) return undefined;
    year = Number(m[1]);
    rest = [m[2], m[3], m[4], m[5], m[6]];
    fraction = m[7];
    zone = m[8];
  } else {
    const m = UTC.exec(text);
    if (!m) return undefined;
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = [m[2], m[3], m[4], m[5], m[6]];
    zone = m[7];
  }
  const [month, day, hour, minute, second] = rest.map((v) => Number(v ?? '0')) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (fraction) ms += Math.floor(Number(`0.${fraction}`) * 1000);
  if (zone === undefined) {
    ctx?.warnings.push(`${path}: ${what} "${text}" has no time zone, read as UTC`);
  } else if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  if (zone !== undefined && (zone !== 'Z' || fraction !== undefined || rest[4] === undefined)) {
    ctx?.warnings.push(`${path}: ${what} "${text}" is not in canonical DER form, accepted`);
  }
  return new Date(ms);
}
