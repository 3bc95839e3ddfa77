import { DerReader, DerReadError, contentOf } from '../der/der-reader';
import { RevocationInputError } from './revocation-input-error';

/**
 * The subjectPublicKey BIT STRING value of a DER SubjectPublicKeyInfo (without tag, length and
 * unused-bits byte): what RFC 5280 key identifiers (method 1) and OCSP issuerKeyHash /
 * ResponderID byKey are hashed over.
 */
export function subjectPublicKeyBits(spki: Uint8Array, field = 'spki'): Uint8Array {
  try {
    const outer = new DerReader(spki);
    const seq = outer.read(0x30, 'SubjectPublicKeyInfo');
    outer.expectEnd('SubjectPublicKeyInfo');
    const inner = DerReader.inside(spki, seq);
    inner.read(0x30, 'AlgorithmIdentifier');
    const bits = contentOf(spki, inner.read(0x03, 'subjectPublicKey'));
    inner.expectEnd('SubjectPublicKeyInfo');
    if (bits.length < 2 || bits[0] !== 0) throw new DerReadError(0, 'subjectPublicKey must be whole octets');
    return bits.subarray(1);
  } catch (e) {
    if (e instanceof DerReadError) throw new RevocationInputError(field, e.message, '公钥信息编码错误');
    throw e;
  }
}
