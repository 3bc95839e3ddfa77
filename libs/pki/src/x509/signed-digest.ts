import { createHash } from 'node:crypto';
import { contentOf, decodeOid, DerReader } from '../der/der-reader';
import { OID } from '../crypto/algorithms';
import { sm2ZValue } from '../crypto/sm2';
import { sm2PublicKeyFromSpki } from '../crypto/sm2-key-encoding';
import { sm3 } from '../crypto/sm3';

export interface SignedDigest {
  /** How it was computed: `SHA-256`, `SHA-384`, `SHA-512`, or `SM3(Z‖TBS)` (SM2 with the default signer ID). */
  readonly algorithm: string;
  readonly digest: Uint8Array;
}

const HASH_OF: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
};

/**
 * The digest an issuer's key signed for a TBSCertificate — what an HSM's log of that signature
 * shows: the hash the TBS's own signature AlgorithmIdentifier names, or for SM2-with-SM3 the e of
 * GB/T 32918.2, SM3(Z ‖ TBS) with Z from the issuer's public key and the default ID. `issuerSpki`
 * is needed for SM2 only. Throws on a TBS it cannot read or an algorithm it does not know.
 */
export function signedDigest(tbs: Uint8Array, issuerSpki?: Uint8Array): SignedDigest {
  const fields = DerReader.inside(tbs, new DerReader(tbs).read(0x30, 'TBSCertificate'));
  fields.readOptional(0xa0, 'version');
  fields.read(0x02, 'serialNumber');
  const algorithm = DerReader.inside(tbs, fields.read(0x30, 'signature'));
  const oid = decodeOid(contentOf(tbs, algorithm.read(0x06, 'signature algorithm')));
  if (oid === OID.sm2WithSm3) {
    if (!issuerSpki) throw new Error('the SM2 digest needs the issuer public key');
    return { algorithm: 'SM3(Z‖TBS)', digest: sm3(sm2ZValue(sm2PublicKeyFromSpki(issuerSpki)), tbs) };
  }
  const hash = HASH_OF[oid];
  if (!hash) throw new Error(`no digest known for signature algorithm ${oid}`);
  return { algorithm: hash.toUpperCase().replace('SHA', 'SHA-'), digest: new Uint8Array(createHash(hash).update(tbs).digest()) };
}
