import { ProblemCode, ProblemError } from '@ecert/common';
import { MAX_PLACEMENTS, PLACEMENT_TYPES, type PlacementSpec, type SealUsePrincipals } from '@ecert/contracts';
import { isDocumentId } from '@ecert/documents';

/**
 * Checks of document commands as they arrive over NATS: the gateway validated the shapes too, but
 * a service trusts no caller's. Every refusal names its field.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Largest page number and millimetre value a placement may name (A0 is 841 × 1189 mm). */
const MAX_PAGE = 100_000;
const MAX_MM = 5000;
const MAX_KEYWORD = 100;
const MAX_PRINCIPALS = 100;
const PRINCIPAL_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

/** A UUID (lower case), or a 404 with `notFound` when `code` is given: an id that cannot exist names nothing. */
export function uuidOf(value: unknown, field: string, notFound?: { code: string; what: string }): string {
  const id = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (UUID.test(id)) return id;
  if (notFound) throw ProblemError.notFound(notFound.code, `No ${notFound.what} with id '${String(value ?? '').slice(0, 80)}'`);
  throw bad(field, `${field} must be a UUID`);
}

export function sha256Of(value: unknown, field = 'sha256'): string {
  if (!isDocumentId(value)) throw bad(field, `${field} must be 64 lowercase hex digits (the SHA-256 of the stored document)`);
  return value;
}

export function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !value.trim() || value.length > max) throw bad(field, `${field} must be 1-${max} characters`);
  // Control characters have no business in a reason, a location or a purpose (they end up in the PDF).
  if (/[\u0000-\u001f\u007f]/.test(value)) throw bad(field, `${field} must not contain control characters`);
  return value.trim();
}

export function requiredText(value: unknown, field: string, max: number): string {
  const t = optionalText(value, field, max);
  if (t === undefined) throw bad(field, `${field} is required`);
  return t;
}

function finiteMm(value: unknown, field: string, min: number, required: boolean): number | undefined {
  if (value === undefined || value === null) {
    if (required) throw bad(field, `${field} is required (millimetres)`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_MM) throw bad(field, `${field} must be a number of millimetres from ${min} to ${MAX_MM}`);
  return value;
}

function page(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE) throw bad(field, `${field} must be a page number from 1`);
  return value;
}

function pageList(value: unknown, field: string, min = 1): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length < min || value.length > 1000) throw bad(field, `${field} must be a list of ${min}-1000 page numbers`);
  const pages = value.map((v, i) => page(v, `${field}[${i}]`));
  if (new Set(pages).size !== pages.length) throw bad(field, `${field} names a page twice`);
  return pages;
}

/** The placements of a seal-use or seal request, normalised (defaults not filled in: they are part of what is approved as given). */
export function placementsOf(value: unknown, field = 'placements'): PlacementSpec[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PLACEMENTS) throw bad(field, `${field} must be a list of 1-${MAX_PLACEMENTS} placements`);
  return value.map((p, i) => placementOf(p, `${field}[${i}]`));
}

function placementOf(p: unknown, field: string): PlacementSpec {
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad(field, `${field} must be an object`);
  const o = p as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !(PLACEMENT_TYPES as readonly string[]).includes(type)) throw bad(`${field}.type`, `${field}.type must be one of ${PLACEMENT_TYPES.join(', ')}`);
  const allowed: Record<string, string[]> = {
    coordinates: ['type', 'page', 'xMm', 'yMm'],
    keyword: ['type', 'keyword', 'occurrence', 'offsetXMm', 'offsetYMm', 'pages'],
    'cross-page': ['type', 'pages', 'yMm'],
  };
  const extra = Object.keys(o).find((k) => !allowed[type]!.includes(k));
  if (extra) throw bad(`${field}.${extra}`, `${field}.${extra} is not a field of a ${type} placement`);
  if (type === 'coordinates') {
    return { type, page: page(o.page, `${field}.page`), xMm: finiteMm(o.xMm, `${field}.xMm`, 0, true)!, yMm: finiteMm(o.yMm, `${field}.yMm`, 0, true)! };
  }
  if (type === 'keyword') {
    if (typeof o.keyword !== 'string' || !o.keyword.trim() || o.keyword.length > MAX_KEYWORD) throw bad(`${field}.keyword`, `${field}.keyword must be 1-${MAX_KEYWORD} characters`);
    if (o.occurrence !== undefined && o.occurrence !== 'first' && o.occurrence !== 'all') throw bad(`${field}.occurrence`, `${field}.occurrence must be first or all`);
    const offsetXMm = offset(o.offsetXMm, `${field}.offsetXMm`);
    const offsetYMm = offset(o.offsetYMm, `${field}.offsetYMm`);
    const pages = pageList(o.pages, `${field}.pages`);
    return {
      type,
      keyword: o.keyword,
      ...(o.occurrence ? { occurrence: o.occurrence } : {}),
      ...(offsetXMm !== undefined ? { offsetXMm } : {}),
      ...(offsetYMm !== undefined ? { offsetYMm } : {}),
      ...(pages ? { pages } : {}),
    };
  }
  const pages = pageList(o.pages, `${field}.pages`, 2);
  const yMm = finiteMm(o.yMm, `${field}.yMm`, 0, false);
  return { type: 'cross-page', ...(pages ? { pages } : {}), ...(yMm !== undefined ? { yMm } : {}) };
}

function offset(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_MM) throw bad(field, `${field} must be a number of millimetres within ±${MAX_MM}`);
  return value;
}

/** Staff and client ids of a rule, each list deduplicated and at most 100 long. */
export function principalsOf(value: unknown, field: string): SealUsePrincipals {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(field, `${field} must be an object {staffIds, clientIds}`);
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => k !== 'staffIds' && k !== 'clientIds');
  if (extra) throw bad(`${field}.${extra}`, `${field}.${extra} is not a field: give staffIds and clientIds`);
  const list = (v: unknown, f: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > MAX_PRINCIPALS) throw bad(f, `${f} must be a list of at most ${MAX_PRINCIPALS} ids`);
    v.forEach((id, i) => {
      if (typeof id !== 'string' || !PRINCIPAL_ID.test(id)) throw bad(`${f}[${i}]`, `${f}[${i}] must be an id (1-128 letters, digits or . _ : -)`);
    });
    return [...new Set((v as string[]).map((id) => id.toLowerCase()))];
  };
  return { staffIds: list(o.staffIds, `${field}.staffIds`), clientIds: list(o.clientIds, `${field}.clientIds`) };
}

export function intOf(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw bad(field, `${field} must be an integer from ${min} to ${max}`);
  return value;
}
