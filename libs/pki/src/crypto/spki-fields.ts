import { DerReader, DerReadError, contentOf, decodeOid, encodedOf } from '../der/der-reader';

/** The parts of a DER SubjectPublicKeyInfo, sliced from its bytes (nothing re-encoded). */
export interface SpkiFields {
  /** AlgorithmIdentifier.algorithm, dotted. */
  readonly algorithmOid: string;
  /** The whole DER element of AlgorithmIdentifier.parameters (tag included), when present. */
  readonly parameters?: Uint8Array;
  /** The subjectPublicKey BIT STRING's bits (its unused-bits octet, which must be 0, left out). */
  readonly subjectPublicKey: Uint8Array;
}

/**
 * Reads SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { OBJECT IDENTIFIER, ANY OPTIONAL }, BIT STRING }
 * under strict DER (definite minimal lengths, a minimal OID, no unused bits, nothing trailing at
 * any level), without building an object tree: it is read several times per issuance (intake,
 * key identifier, the builder's check). Throws DerReadError.
 */
export function readSpkiFields(spki: Uint8Array): SpkiFields {
  const top = new DerReader(spki);
  const outer = DerReader.inside(spki, top.read(0x30, 'SubjectPublicKeyInfo'));
  top.expectEnd('SubjectPublicKeyInfo');
  const algorithm = DerReader.inside(spki, outer.read(0x30, 'AlgorithmIdentifier'));
  const algorithmOid = decodeOid(contentOf(spki, algorithm.read(0x06, 'algorithm')));
  const parameters = algorithm.done ? undefined : encodedOf(spki, algorithm.read(undefined, 'parameters'));
  algorithm.expectEnd('AlgorithmIdentifier');
  const bitString = outer.read(0x03, 'subjectPublicKey');
  outer.expectEnd('SubjectPublicKeyInfo');
  const bits = contentOf(spki, bitString);
  if (bits.length === 0) throw new DerReadError(bitString.start, 'empty subjectPublicKey BIT STRING');
  if (bits[0] !== 0) throw new DerReadError(bitString.start, 'subjectPublicKey has unused bits');
  return { algorithmOid, ...(parameters ? { parameters } : {}), subjectPublicKey: bits.subarray(1) };
}

/** True for the DER NULL element `05 00` (rsaEncryption's parameters; "none" for a signature algorithm). */
export const isDerNull = (element: Uint8Array): boolean => element.length === 2 && element[0] === 0x05 && element[1] === 0x00;

/** The curve OID of a namedCurve parameters element (ECParameters' first choice). Throws DerReadError. */
export function namedCurveOid(parameters: Uint8Array): string {
  return decodeOid(contentOf(parameters, new DerReader(parameters).read(0x06, 'namedCurve')));
}
