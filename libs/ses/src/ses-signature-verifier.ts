import { certDigestMatches } from './cert-digest';
import { parseCertificate, type ParsedCertificate } from './certificate-parser';
import { validateCertificatePath } from './certificate-path-validator';
import { documentHashAlgorithmFor, hashDocument } from './document-hasher';
import { keyUsageCheck, verifySeal, type SealVerificationReport, type VerifySealOptions } from './seal-verifier';
import type { SealMakerTrustList } from './maker-trust';
import { decodeSesSignature } from './ses-signature-codec';
import { SesError } from './ses-errors';
import type { DecodedSesSignature, SealVersion } from './ses-model';
import { verifySignatureValue } from './signature-value-verifier';
import { indicationToResult, overallIndication, type Indication, type VerificationCheck } from './verification-report';

export interface VerifySesSignatureOptions {
  /** Trust anchors for the signer's certificate (and, without makerTrust, the maker's chain). */
  readonly trustAnchors?: readonly Uint8Array[];
  readonly intermediates?: readonly Uint8Array[];
  /** Who may make the embedded seal (see VerifySealOptions.makerTrust). */
  readonly makerTrust?: readonly SealMakerTrustList[];
  /** Validation time for certificates; default now. */
  readonly at?: Date;
  /** The signed document (for OFD: the Signature.xml bytes). Without it the data-hash check is indeterminate. */
  readonly document?: Uint8Array;
  /**
   * Instead of the document: its hash as the caller computed it (for a PDF, SM3 of the ByteRange
   * pieces, which are never joined). Compared with dataHash as is.
   */
  readonly documentHash?: Uint8Array;
}

export interface SesSignatureVerificationReport {
  readonly indication: Indication;
  /** format, signer-signature, signer-certificate, signer-key-usage, signer-bound-to-seal, seal, data-hash. */
  readonly checks: readonly VerificationCheck[];
  readonly validationTime: Date;
  readonly version?: SealVersion;
  /** Claimed signing time (TBS_Sign.timeInfo): the signer's own statement unless a timestamp proves it. */
  readonly signingTime?: Date;
  readonly propertyInfo?: string;
  readonly signer?: { readonly subject: string; readonly issuer: string; readonly serialNumberHex: string };
  readonly dataHashHex?: string;
  /** A timestamp is carried; this library does not verify RFC 3161 tokens. */
  readonly timeStampPresent?: boolean;
  /** The embedded seal's own report (its validity period checked at the signing time). */
  readonly seal?: SealVerificationReport;
  readonly warnings: readonly string[];
}

/**
 * Verifies an SES_Signature of either version: the signer's signature over the received TBS_Sign,
 * the signer certificate's chain and key usage, that the signer certificate is one the seal is bound
 * to, the embedded seal (maker signature and chain; validity period at the signing time) and, given
 * the document, its dataHash. Undecodable input gives a failed `format` check; never throws.
 */
export async function verifySesSignature(
  signature: Uint8Array | DecodedSesSignature,
  options: VerifySesSignatureOptions = {},
): Promise<SesSignatureVerificationReport> {
  const at = options.at ?? new Date();
  let sig: DecodedSesSignature;
  try {
    sig = signature instanceof Uint8Array ? decodeSesSignature(signature) : signature;
  } catch (err) {
    const detail = err instanceof SesError ? err.message : `undecodable signature: ${(err as Error).message}`;
    const checks = [{ name: 'format', result: 'failed', detail } as const];
    return { indication: overallIndication(checks), checks, validationTime: at, warnings: [] };
  }

  const checks: VerificationCheck[] = [];
  const tbs = sig.toSign;
  checks.push({
    name: 'format',
    result: 'passed',
    detail: `${sig.version === 4 ? 'GB/T 38540 v4' : 'GM/T 0031 v1'} SES_Signature${sig.warnings.length ? ` (${sig.warnings.length} tolerated irregularities, see warnings)` : ''}`,
  });

  let signer: ParsedCertificate | undefined;
  try {
    signer = parseCertificate(sig.cert, 'signer certificate');
  } catch (err) {
    checks.push({ name: 'signer-signature', result: 'failed', detail: `the signer certificate is not a readable X.509 certificate: ${(err as Error).message}` });
  }
  if (signer) {
    const v = verifySignatureValue({ spki: signer.spki, algorithmOid: sig.signatureAlgorithmOid, data: sig.tbsDer, signature: sig.signature });
    checks.push({ name: 'signer-signature', result: v.result, detail: `${sig.signatureAlgorithmOid} over DER(TBS_Sign) with the key of "${signer.subject}": ${v.detail}` });
    const path = validateCertificatePath({ certificate: signer, trustAnchors: options.trustAnchors ?? [], intermediates: options.intermediates ?? [], at });
    checks.push({ name: 'signer-certificate', result: path.result, detail: path.detail });
    checks.push(keyUsageCheck('signer-key-usage', signer));
  }

  checks.push(boundCheck(sig));

  const sealOptions: VerifySealOptions = {
    ...(options.trustAnchors ? { trustAnchors: options.trustAnchors } : {}),
    ...(options.intermediates ? { intermediates: options.intermediates } : {}),
    ...(options.makerTrust ? { makerTrust: options.makerTrust } : {}),
    at,
    ...(tbs.timeInfo ? { usageTime: tbs.timeInfo } : {}),
  };
  const seal = await verifySeal(sig.seal, sealOptions);
  checks.push({
    name: 'seal',
    result: indicationToResult(seal.indication),
    detail: `embedded seal "${seal.name}" (esID ${seal.esId}): ${seal.indication}${tbs.timeInfo ? `, validity checked at the signing time ${tbs.timeInfo.toISOString()}` : ''}`,
  });

  checks.push(options.documentHash ? hashEqualityCheck(sig, options.documentHash) : dataHashCheck(sig, options.document));

  return {
    indication: overallIndication(checks),
    checks,
    validationTime: at,
    version: sig.version,
    ...(tbs.timeInfo ? { signingTime: tbs.timeInfo } : {}),
    propertyInfo: tbs.propertyInfo,
    ...(signer ? { signer: { subject: signer.subject, issuer: signer.issuer, serialNumberHex: signer.serialNumberHex } } : {}),
    dataHashHex: Buffer.from(tbs.dataHash).toString('hex'),
    timeStampPresent: sig.timeStamp !== undefined,
    seal,
    warnings: [...sig.warnings, ...(sig.timeStamp ? ['timeStamp present but not verified by this library'] : [])],
  };
}

/** GB/T 38540: the signer certificate must be one of those the seal lists (or whose digest it lists). */
function boundCheck(sig: DecodedSesSignature): VerificationCheck {
  const list = sig.seal.sealInfo.property.certList;
  const name = 'signer-bound-to-seal';
  if (list.type === 1) {
    const i = list.certs.findIndex((c) => Buffer.from(c).equals(Buffer.from(sig.cert)));
    if (i >= 0) return { name, result: 'passed', detail: `signer certificate is entry ${i} of the seal's certificate list` };
    if (list.foreignEntries?.length && list.certs.length === 0) {
      return { name, result: 'indeterminate', detail: 'the seal lists no usable certificates (non-certificate entries only)' };
    }
    return { name, result: 'failed', detail: 'signer certificate is not in the seal\'s certificate list' };
  }
  const i = list.digests.findIndex((d) => certDigestMatches(d, sig.cert));
  if (i >= 0) return { name, result: 'passed', detail: `signer certificate matches digest ${i} (${list.digests[i]!.type}) of the seal` };
  return { name, result: 'failed', detail: 'no certificate digest of the seal matches the signer certificate' };
}

function dataHashCheck(sig: DecodedSesSignature, document: Uint8Array | undefined): VerificationCheck {
  const name = 'data-hash';
  if (!document) return { name, result: 'indeterminate', detail: 'document not supplied; dataHash not checked' };
  const expected = hashDocument(sig.signatureAlgorithmOid, document);
  if (!expected) return { name, result: 'indeterminate', detail: `no document hash known for ${sig.signatureAlgorithmOid}` };
  const alg = documentHashAlgorithmFor(sig.signatureAlgorithmOid)!.toUpperCase();
  return Buffer.from(expected).equals(Buffer.from(sig.toSign.dataHash))
    ? { name, result: 'passed', detail: `${alg} of the document matches dataHash` }
    : { name, result: 'failed', detail: `${alg} of the document does not match dataHash (the document was changed, or is not the one signed)` };
}

function hashEqualityCheck(sig: DecodedSesSignature, documentHash: Uint8Array): VerificationCheck {
  const name = 'data-hash';
  const alg = documentHashAlgorithmFor(sig.signatureAlgorithmOid)?.toUpperCase() ?? 'the';
  return Buffer.from(documentHash).equals(Buffer.from(sig.toSign.dataHash))
    ? { name, result: 'passed', detail: `${alg} hash of the signed data matches dataHash` }
    : { name, result: 'failed', detail: `${alg} hash of the signed data does not match dataHash (the data was changed, or is not what was signed)` };
}
