import { parseCertificate, type ParsedCertificate } from './certificate-parser';
import { checkMakerTrust, type SealMakerTrustList } from './maker-trust';
import { pictureFormatOf, sniffPictureFormat, type PictureFormat } from './picture-format';
import { decodeSeal } from './seal-codec';
import { SesError } from './ses-errors';
import type { DecodedSeal, SealVersion } from './ses-model';
import { verifySignatureValue } from './signature-value-verifier';
import { overallIndication, type Indication, type VerificationCheck } from './verification-report';

export interface VerifySealOptions {
  /**
   * Who may make seals. With lists, a maker that none of them authorises fails the seal
   * (`maker-authorised`), and `trustAnchors`/`intermediates` are not used for the maker.
   */
  readonly makerTrust?: readonly SealMakerTrustList[];
  /**
   * Without `makerTrust`: anchors for the maker's chain only (DER). The chain may pass, but whether
   * the maker may make seals stays unknown, so the seal is at best INDETERMINATE.
   */
  readonly trustAnchors?: readonly Uint8Array[];
  /** Untrusted CA certificates that may complete chains, DER. */
  readonly intermediates?: readonly Uint8Array[];
  /** Validation time for certificates; default now. */
  readonly at?: Date;
  /**
   * When the seal is (was) used, checked against validStart/validEnd; default `at`. Signature
   * verification passes the signing time here.
   */
  readonly usageTime?: Date;
}

export interface SealVerificationReport {
  readonly indication: Indication;
  /** Each check on its own: format, header, maker-signature, maker-certificate, maker-authorised, maker-key-usage, validity-period, cert-list, picture. */
  readonly checks: readonly VerificationCheck[];
  readonly validationTime: Date;
  /** Layout version (from the structure); undefined when the input could not be decoded. */
  readonly version?: SealVersion;
  readonly headerVersion?: number;
  readonly esId?: string;
  readonly type?: number;
  readonly name?: string;
  readonly vendorId?: string;
  readonly maker?: { readonly subject: string; readonly issuer: string; readonly serialNumberHex: string };
  readonly validity?: { readonly createDate: Date; readonly validStart: Date; readonly validEnd: Date };
  readonly picture?: {
    readonly type: string;
    readonly format?: PictureFormat;
    readonly widthMm: number;
    readonly heightMm: number;
    readonly byteLength: number;
  };
  /** Subjects of the bound certificates (type 1) or the number of digests (type 2). */
  readonly boundCertificates?: { readonly type: 1; readonly subjects: readonly string[] } | { readonly type: 2; readonly digestCount: number };
  /** Tolerated oddities of the encoding. */
  readonly warnings: readonly string[];
}

const SIGN_USAGES = 1 | 2; // KeyUsageFlags.digitalSignature | nonRepudiation

/**
 * Verifies a seal of either version and reports each check separately: the maker's signature over
 * the received signed bytes, the maker certificate's chain to the trust anchors (SM2 verified by
 * @ecert/pki), whether that maker may make seals (makerTrust), its key usage, the seal's validity
 * period, the bound certificate list and the picture. Undecodable input gives a report with a
 * failed `format` check; this function does not throw.
 */
export async function verifySeal(seal: Uint8Array | DecodedSeal, options: VerifySealOptions = {}): Promise<SealVerificationReport> {
  const at = options.at ?? new Date();
  let decoded: DecodedSeal;
  try {
    decoded = seal instanceof Uint8Array ? decodeSeal(seal) : seal;
  } catch (err) {
    const detail = err instanceof SesError ? err.message : `undecodable seal: ${(err as Error).message}`;
    const checks = [{ name: 'format', result: 'failed', detail } as const];
    return { indication: overallIndication(checks), checks, validationTime: at, warnings: [] };
  }
  return verifyDecodedSeal(decoded, { ...options, at });
}

function verifyDecodedSeal(seal: DecodedSeal, options: VerifySealOptions & { at: Date }): SealVerificationReport {
  const { at } = options;
  const usageTime = options.usageTime ?? at;
  const info = seal.sealInfo;
  const p = info.property;
  const checks: VerificationCheck[] = [];

  checks.push({
    name: 'format',
    result: 'passed',
    detail: `${seal.version === 4 ? 'GB/T 38540 v4 SES_Seal' : 'GM/T 0031 v1 SESeal'}${seal.warnings.length ? ` (${seal.warnings.length} tolerated irregularities, see warnings)` : ''}`,
  });
  checks.push(headerCheck(seal));

  let maker: ParsedCertificate | undefined;
  try {
    maker = parseCertificate(seal.cert, 'maker certificate');
  } catch (err) {
    checks.push({ name: 'maker-signature', result: 'failed', detail: `the maker certificate in the seal is not a readable X.509 certificate: ${(err as Error).message}` });
  }
  if (maker) {
    const sig = verifySignatureValue({ spki: maker.spki, algorithmOid: seal.signatureAlgorithmOid, data: seal.signedData, signature: seal.signature });
    const over = seal.version === 4 ? 'DER(SES_SealInfo)' : 'DER(SEQUENCE{sealInfo, cert, signatureAlgorithm})';
    checks.push({ name: 'maker-signature', result: sig.result, detail: `${seal.signatureAlgorithmOid} over ${over} with the key of "${maker.subject}": ${sig.detail}` });

    const trust = checkMakerTrust({
      maker,
      at,
      ...(options.makerTrust ? { makerTrust: options.makerTrust } : {}),
      ...(options.trustAnchors ? { trustAnchors: options.trustAnchors } : {}),
      ...(options.intermediates ? { intermediates: options.intermediates } : {}),
    });
    checks.push(trust.chain, trust.authorised);
    checks.push(keyUsageCheck('maker-key-usage', maker));
  }

  checks.push(validityCheck(p.validStart, p.validEnd, usageTime));
  checks.push(certListCheck(seal));
  checks.push(pictureCheck(seal));

  const list = p.certList;
  return {
    indication: overallIndication(checks),
    checks,
    validationTime: at,
    version: seal.version,
    headerVersion: info.header.version,
    esId: info.esId,
    type: p.type,
    name: p.name,
    vendorId: info.header.vendorId,
    ...(maker ? { maker: { subject: maker.subject, issuer: maker.issuer, serialNumberHex: maker.serialNumberHex } } : {}),
    validity: { createDate: p.createDate, validStart: p.validStart, validEnd: p.validEnd },
    picture: {
      type: info.picture.type,
      ...(pictureFormatOf(info.picture.type) ? { format: pictureFormatOf(info.picture.type) } : {}),
      widthMm: info.picture.widthMm,
      heightMm: info.picture.heightMm,
      byteLength: info.picture.data.length,
    },
    boundCertificates:
      list.type === 1 ? { type: 1, subjects: list.certs.map((c) => subjectOrNote(c)) } : { type: 2, digestCount: list.digests.length },
    warnings: seal.warnings,
  };
}

function headerCheck(seal: DecodedSeal): VerificationCheck {
  const h = seal.sealInfo.header;
  if (h.id !== 'ES') return { name: 'header', result: 'failed', detail: `header ID is "${h.id}", "ES" required` };
  const consistent = seal.version === 4 ? h.version === 4 : h.version >= 1 && h.version <= 3;
  if (!consistent) {
    return {
      name: 'header',
      result: 'indeterminate',
      detail: `header version ${h.version} does not match the v${seal.version} structure (read by structure)`,
    };
  }
  return { name: 'header', result: 'passed', detail: `ES, version ${h.version}, vendor "${h.vendorId}"` };
}

/** Certificates that sign seals or documents must allow digitalSignature or nonRepudiation (when keyUsage is present). */
export function keyUsageCheck(name: string, cert: ParsedCertificate): VerificationCheck {
  if (cert.keyUsage === undefined) return { name, result: 'passed', detail: `"${cert.subject}" has no keyUsage extension (unrestricted)` };
  if (cert.keyUsage & SIGN_USAGES) return { name, result: 'passed', detail: `"${cert.subject}" keyUsage allows signing` };
  return { name, result: 'failed', detail: `"${cert.subject}" keyUsage allows neither digitalSignature nor nonRepudiation` };
}

function validityCheck(start: Date, end: Date, time: Date): VerificationCheck {
  const span = `${start.toISOString()} to ${end.toISOString()}`;
  if (start.getTime() > end.getTime()) return { name: 'validity-period', result: 'failed', detail: `validStart is after validEnd (${span})` };
  if (time < start) return { name: 'validity-period', result: 'failed', detail: `not yet valid at ${time.toISOString()} (valid ${span})` };
  if (time > end) return { name: 'validity-period', result: 'failed', detail: `expired at ${time.toISOString()} (valid ${span})` };
  return { name: 'validity-period', result: 'passed', detail: `valid at ${time.toISOString()} (valid ${span})` };
}

function certListCheck(seal: DecodedSeal): VerificationCheck {
  const list = seal.sealInfo.property.certList;
  if (list.type === 2) {
    if (list.digests.length === 0) return { name: 'cert-list', result: 'failed', detail: 'the seal is bound to no certificate (empty digest list)' };
    return { name: 'cert-list', result: 'passed', detail: `bound to ${list.digests.length} certificate digest(s)` };
  }
  for (const [i, c] of list.certs.entries()) {
    try {
      parseCertificate(c);
    } catch (err) {
      return { name: 'cert-list', result: 'failed', detail: `bound certificate ${i} is not a readable X.509 certificate: ${(err as Error).message}` };
    }
  }
  if (list.foreignEntries?.length) {
    const what = list.foreignEntries.map((e) => `entry ${e.index} is ${e.description}`).join('; ');
    return {
      name: 'cert-list',
      result: 'indeterminate',
      detail: `certificate list holds non-certificate entries (${what}); ${list.certs.length} certificate(s) usable`,
    };
  }
  if (list.certs.length === 0) return { name: 'cert-list', result: 'failed', detail: 'the seal is bound to no certificate (empty list)' };
  return { name: 'cert-list', result: 'passed', detail: `bound to ${list.certs.length} certificate(s)` };
}

function pictureCheck(seal: DecodedSeal): VerificationCheck {
  const pic = seal.sealInfo.picture;
  const declared = pictureFormatOf(pic.type);
  const actual = sniffPictureFormat(pic.data);
  const size = `${pic.widthMm}x${pic.heightMm} mm, ${pic.data.length} bytes`;
  if (pic.data.length === 0) return { name: 'picture', result: 'failed', detail: 'the seal has no picture data' };
  if (pic.widthMm <= 0 || pic.heightMm <= 0) return { name: 'picture', result: 'failed', detail: `picture size ${size} is not positive` };
  // A picture problem affects display, not the seal's authenticity: unknown, never failed.
  if (!declared) return { name: 'picture', result: 'indeterminate', detail: `unknown picture type "${pic.type}" (${size})` };
  if (actual !== declared) {
    return { name: 'picture', result: 'indeterminate', detail: `declared "${pic.type}" but the data ${actual ? `is ${actual}` : 'is not recognised'} (${size})` };
  }
  return { name: 'picture', result: 'passed', detail: `${pic.type} ${size}` };
}

function subjectOrNote(der: Uint8Array): string {
  try {
    return parseCertificate(der).subject;
  } catch {
    return '(unreadable certificate)';
  }
}
