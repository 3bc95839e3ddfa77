import { PLATFORM_KEY_SES_MAX_BYTES } from '@ecert/contracts';
import { OID } from '@ecert/pki';
import { checkSealSignature, decodeTbsSignV4, encodeTbsSign, SesError, sealBinds, type DecodedTbsSignV4 } from '@ecert/ses';

/** propertyInfo names what was signed (a PDF field and ByteRange): short. */
const PROPERTY_INFO_MAX = 256;

/** How far a TBS_Sign's timeInfo may be from the moment the platform key signs it. */
export const SES_TIME_SKEW_MS = 5 * 60_000;

/** What ecert's sealing writes (seal-service sesPropertyInfo): `PDF <field> /ByteRange [a b c d]`, printable ASCII. */
const PROPERTY_INFO = /^PDF [\x20-\x7e]{1,200} \/ByteRange \[\d{1,15} \d{1,15} \d{1,15} \d{1,15}\]$/;

export interface TbsSignExpectations {
  /** DER of the platform-held certificate whose key signs: the seal must be bound to it. */
  certificate: Uint8Array;
  /** DER of ecert's seal-maker certificates: the seal must be made by one of them. */
  makerCertificates: readonly Uint8Array[];
  /** The message digest of the CMS signed attributes signed in the same call. */
  messageDigest: Uint8Array;
  now: Date;
}

export type TbsSignResult = { ok: true; value: DecodedTbsSignV4 } | { ok: false; problem: string };

/**
 * Whether a platform-held key may sign these bytes as the TBS_Sign of a GB/T 38540 SES_Signature:
 * exactly one DER v4 TBS_Sign (re-encoding to the same bytes, nothing tolerated), no extDatas (no
 * free bytes the caller chooses), embedding a v4 seal made by ecert's seal maker (its signature
 * verifying) and bound to this very certificate, its dataHash the message digest of the CMS signed
 * attributes signed in the same call (one document, two signatures), its time now (±5 minutes)
 * and within the seal's validity. So the seal-service can have signed only an SES_Signature over
 * a document digest with a real seal of this key — never a certificate, CRL, OCSP answer, seal or
 * anything else, all of which are distinct DER structures (TBSCertificate begins [0] version,
 * TBSCertList version 1 or an AlgorithmIdentifier, SES_SealInfo a SEQUENCE; TBS_Sign INTEGER 4).
 */
export function parseTbsSignForSeal(data: Uint8Array, expect: TbsSignExpectations): TbsSignResult {
  const fail = (problem: string): TbsSignResult => ({ ok: false, problem });
  if (data.length === 0) return fail('it is empty');
  if (data.length > PLATFORM_KEY_SES_MAX_BYTES) return fail(`it has ${data.length} bytes, more than ${PLATFORM_KEY_SES_MAX_BYTES}`);
  if (data[0] !== 0x30) return fail(`it begins with tag 0x${data[0]!.toString(16).padStart(2, '0')}, not a SEQUENCE (0x30)`);
  let tbs: DecodedTbsSignV4;
  try {
    tbs = decodeTbsSignV4(data);
  } catch (e) {
    return fail(`it is not a GB/T 38540 v4 TBS_Sign: ${e instanceof SesError ? e.message : (e as Error).message}`);
  }
  if (tbs.warnings.length) return fail(`it is not strict DER: ${tbs.warnings[0]}`);
  if (tbs.toSign.extDatas) return fail('it carries extDatas, which a platform-held key does not sign');
  if (tbs.toSign.propertyInfo.length > PROPERTY_INFO_MAX) return fail(`its propertyInfo is longer than ${PROPERTY_INFO_MAX} characters`);
  if (!PROPERTY_INFO.test(tbs.toSign.propertyInfo)) return fail('its propertyInfo is not `PDF <field> /ByteRange [a b c d]` (what ecert signs names a PDF field and its ByteRange, nothing else)');
  let again: Uint8Array;
  try {
    again = encodeTbsSign(4, tbs.toSign, expect.certificate, OID.sm2WithSm3);
  } catch (e) {
    return fail(`it does not re-encode: ${(e as Error).message}`);
  }
  if (!Buffer.from(again).equals(Buffer.from(data))) return fail('it is not exactly one DER TBS_Sign (trailing or non-DER bytes)');
  const seal = tbs.seal;
  if (!expect.makerCertificates.some((m) => Buffer.from(m).equals(Buffer.from(seal.cert)))) return fail(`the seal ${seal.sealInfo.esId} was not made by ecert's seal maker`);
  try {
    checkSealSignature(seal);
  } catch (e) {
    return fail(`the seal ${seal.sealInfo.esId}: ${(e as Error).message}`);
  }
  if (!sealBinds(seal, expect.certificate)) return fail(`the seal ${seal.sealInfo.esId} is not bound to this certificate`);
  if (!Buffer.from(tbs.toSign.dataHash).equals(Buffer.from(expect.messageDigest))) return fail('its dataHash is not the message digest of the signed attributes signed with it');
  const time = tbs.toSign.timeInfo!;
  if (Math.abs(time.getTime() - expect.now.getTime()) > SES_TIME_SKEW_MS) return fail(`its time ${time.toISOString()} is not now`);
  const p = seal.sealInfo.property;
  if (time < p.validStart || time > p.validEnd) return fail(`the seal is not valid at ${time.toISOString()}`);
  return { ok: true, value: tbs };
}
