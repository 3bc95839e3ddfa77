import type { MaterialMediaType } from '@ecert/contracts';
import { MaterialRejectedError } from './material-rejected-error';

/** Spellings clients send for the three types (non-standard, but not a contradiction). */
const ALIASES: Record<string, MaterialMediaType> = {
  'application/pdf': 'application/pdf',
  'application/x-pdf': 'application/pdf',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/x-png': 'image/png',
};
/** Declarations that say nothing about the type. */
const UNSPECIFIC = new Set(['', 'application/octet-stream']);

/**
 * Refuses a declared Content-Type that contradicts what `inspectMaterial` found (an upload
 * labelled image/png that is a PDF is a mistake or a trick; either way not accepted). No
 * declaration, or application/octet-stream, is fine: the content decides. Parameters
 * (`; charset=…`) and case are ignored.
 */
export function assertDeclaredType(declared: string | undefined, actual: MaterialMediaType): void {
  const type = (declared ?? '').split(';')[0].trim().toLowerCase();
  if (UNSPECIFIC.has(type) || ALIASES[type] === actual) return;
  throw new MaterialRejectedError('material_type_mismatch', `the material was declared as ${JSON.stringify(type)} but its content is ${actual}`);
}
