import { TAG, readOid, sequenceChildren, type DecodeContext, type DerNode } from './der/der-reader';
import { derNull, derOid, derSequence } from './der/der-writer';
import { SesDecodeError } from './ses-errors';
import type { SignatureAlgorithmForm } from './ses-model';

/**
 * The seal/signature algorithm field: a bare OID per the standards, or an AlgorithmIdentifier
 * SEQUENCE { OID, NULL? } as some producers write it. Both are read; the form is kept for re-encoding.
 */
export function decodeSignatureAlgorithm(
  node: DerNode | undefined,
  path: string,
  ctx: DecodeContext,
): { oid: string; form: SignatureAlgorithmForm } {
  if (node?.tag === TAG.SEQUENCE) {
    const f = sequenceChildren(node, path, 'AlgorithmIdentifier', ctx);
    const oid = readOid(f[0], `${path}.algorithm`, 'algorithm');
    if (f.length === 1) {
      ctx.warnings.push(`${path}: algorithm written as an AlgorithmIdentifier instead of a bare OID, accepted`);
      return { oid, form: 'algorithm-identifier' };
    }
    if (f.length === 2 && f[1]!.tag === TAG.NULL && f[1]!.content.length === 0) {
      ctx.warnings.push(`${path}: algorithm written as an AlgorithmIdentifier with NULL parameters, accepted`);
      return { oid, form: 'algorithm-identifier-null' };
    }
    throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, 'signature algorithm with unexpected parameters');
  }
  return { oid: readOid(node, path, 'signature algorithm'), form: 'oid' };
}

export function encodeSignatureAlgorithm(oid: string, form: SignatureAlgorithmForm = 'oid'): Uint8Array {
  if (form === 'oid') return derOid(oid);
  return form === 'algorithm-identifier' ? derSequence(derOid(oid)) : derSequence(derOid(oid), derNull());
}
