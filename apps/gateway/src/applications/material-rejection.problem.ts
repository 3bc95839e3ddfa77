import { ProblemError } from '@ecert/common';
import { DocumentTooLargeError, MaterialRejectedError, type MaterialRejectionCode } from '@ecert/documents';

/**
 * 413 for size, 415 for a type that is not PDF/JPEG/PNG or contradicts the declared one, 422 for a
 * file of an accepted type that is not acceptable as a material (broken, encrypted, active content).
 */
const STATUS: Record<MaterialRejectionCode, number> = {
  material_too_large: 413,
  material_type_unsupported: 415,
  material_type_mismatch: 415,
  material_empty: 422,
  material_malformed: 422,
  material_active_content: 422,
  material_encrypted: 422,
};

/** The inspector's (or the store's) refusal as a problem naming the `file`, with the inspector's code; anything else is rethrown as is. */
export function materialRejectionProblem(err: unknown): unknown {
  if (err instanceof MaterialRejectedError) {
    return new ProblemError(STATUS[err.code] ?? 422, err.code, '材料不符合要求 (material refused)', err.message, 'file');
  }
  if (err instanceof DocumentTooLargeError) {
    return new ProblemError(413, 'material_too_large', '材料不符合要求 (material refused)', err.message, 'file');
  }
  return err;
}
