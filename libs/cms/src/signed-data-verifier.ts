import { CmsError } from './cms-error';
import type { CmsVerification } from './cms-types';
import { parseSignedData, type ParsedSignedData } from './signed-data-parser';
import { verifySignerInfo } from './signer-info-verifier';
import { verifyTimestampToken } from './timestamp-token-verifier';

/**
 * Verifies a detached SignedData (either OID family; SM2 inside PKCS#7 OIDs too) against the
 * digest of the signed content, computed by the caller with `digestAlgorithmOf`'s algorithm: the
 * message-digest, content-type and signing-certificate(-v2) attributes and the signature over the
 * signed attributes with the certificate that `sid` names; a timestamp token, if any, is checked
 * too (`timestamp`). Certificate trust, validity and revocation are the caller's (the chain is in
 * `certificates`, the TSA's in `timestamp.certificates`).
 *
 * Never throws for bad input: an unreadable container comes back with a FORMAT_FAILURE problem and
 * everything false. Only the first SignerInfo is verified (PAdES allows exactly one).
 */
export function verifySignedData(cmsDer: Uint8Array, contentDigest: Uint8Array): CmsVerification {
  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(cmsDer);
  } catch (e) {
    if (!(e instanceof CmsError)) throw e;
    return {
      family: 'pades',
      oidFamily: 'pkcs7',
      digestAlgorithm: 'unknown',
      digestMatches: false,
      signatureValid: false,
      certificates: [],
      problems: [`FORMAT_FAILURE: ${e.message}`],
    };
  }
  const result = verifySignerInfo(parsed, contentDigest);
  if (parsed.eContent) result.problems.unshift('FORMAT_FAILURE: the content is encapsulated; a detached signature was expected');
  if (result.timestampToken) {
    const signature = parsed.signerInfos[0]!.signature;
    result.timestamp = verifyTimestampToken(result.timestampToken, signature);
  }
  return result;
}
