import * as asn1js from 'asn1js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  BasicConstraints,
  CRLDistributionPoints,
  FreshestCRL,
  CertificatePolicies,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  KeyUsage,
  KeyUsageFlags,
  PolicyInformation,
  PolicyQualifierInfo,
  SubjectKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_freshestCRL,
  id_ce_certificatePolicies,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import type { DistinguishedNameInput } from './distinguished-name';
import { keyIdentifierOf } from './key-identifier';
import { PERSONAL_ID_HASH_PATTERN, RESIDENT_ID_NUMBER_PATTERN } from './personal-id-code';
import { X509InputError } from './x509-input-error';

/** Object identifiers the profiles use beyond those @peculiar/asn1-x509 names. */
export const PROFILE_OID = {
  /**
   * GM/T 0015 "企业组织机构代码" extension; since the 2015 three-certificates reform Chinese CAs
   * carry the 18-character USCC (统一社会信用代码) in it. Value: DER PrintableString.
   */
  unitUscc: '1.2.156.10260.4.1.4',
  /**
   * GM/T 0015 "个人身份标识码" extension. Value: DER PrintableString, the salted hash of the
   * resident ID by default, the number itself only where configured (see personal-id-code).
   */
  personalIdNumber: '1.2.156.10260.4.1.1',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  /** RFC 5280 id-kp-clientAuth: UKey login (challenge signature) and mutual TLS. */
  kpClientAuth: '1.3.6.1.5.5.7.3.2',
  /** RFC 9336 id-kp-documentSigning: signatures on documents (SES_Signature, PDF/OFD seals). */
  kpDocumentSigning: '1.3.6.1.5.5.7.3.36',
  /** RFC 5280 anyExtendedKeyUsage. */
  kpAny: '2.5.29.37.0',
  /**
   * ecert's own OID arc: 2.25.<UUID> (ITU-T X.667 / ISO/IEC 9834-8), UUID
   * 58badae3-2974-4bae-a6ec-06d5170a36a1. A UUID arc needs no registration and cannot collide;
   * ecert has no IANA enterprise number, and taking an unassigned one would squat someone's.
   * Sub-arcs: .1 key purposes.
   */
  ecertArc: '2.25.117942270407676039753596872925081384609',
  /**
   * id-kp-ecertSealMaking (arc .1.1): the key makes (signs) GB/T 38540 seals. Only the seal-maker
   * certificate carries it; the seal verifier accepts an ecert-issued maker certificate only with it.
   */
  kpEcertSealMaking: '2.25.117942270407676039753596872925081384609.1.1',
  /** RFC 6960 §4.2.2.2.1: the OCSP responder's own certificate is not checked for revocation. */
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  adOcsp: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
  qtCps: '1.3.6.1.5.5.7.2.1',
} as const;

/** Where relying parties find revocation status and the issuer's certificate (the issuing CA's URLs). */
export interface IssuerLinks {
  /** CRL distribution point (the issuer's full CRL, http). */
  readonly crlUrl: string;
  /** OCSP responder of the issuer. */
  readonly ocspUrl: string;
  /** The issuer's certificate (DER), for AIA caIssuers. */
  readonly caIssuersUrl: string;
  /**
   * The issuer's delta CRL (RFC 5280 §4.2.1.15 Freshest CRL): delta-aware relying parties find it
   * from the certificate instead of from inside the complete CRL. Omitted: no extension.
   */
  readonly deltaCrlUrl?: string;
}

export interface PolicyInput {
  readonly oid: string;
  /** Optional CPS pointer qualifier. */
  readonly cpsUri?: string;
}

interface SubjectKey {
  /** DER SPKI of the certified key: gives the SKI. */
  readonly subjectSpki: Uint8Array;
}

export interface RootCaProfileInput extends SubjectKey {
  /** Omitted by default: the root constrains nothing, the issuing CA carries pathLen 0. */
  readonly pathLenConstraint?: number;
}

export interface IssuingCaProfileInput extends SubjectKey, Partial<IssuerLinks> {
  /** Default 0: the issuing CA issues end-entity certificates only. */
  readonly pathLenConstraint?: number;
  readonly policies?: readonly PolicyInput[];
}

export type OcspSignerProfileInput = SubjectKey;

export interface EndEntityProfileInput extends SubjectKey, IssuerLinks {
  readonly policies?: readonly PolicyInput[];
}

export interface UnitProfileInput extends EndEntityProfileInput {
  /** 统一社会信用代码, 18 characters, already validated (GB 32100 check character) at the edge. */
  readonly uscc: string;
}

export interface PersonalProfileInput extends EndEntityProfileInput {
  /**
   * The 个人身份标识码 to write: the salted hash (`hmac-sm3:` + 64 hex, see personalIdHash), or,
   * where the deployment writes it in clear, the 18-character resident ID already validated
   * (GB 11643 check digit) at the edge.
   */
  readonly idNumber: string;
}

export interface UnitSubjectInput {
  /** Province name, mapped from the region code by the validator library. */
  readonly province: string;
  readonly city: string;
  readonly unitName: string;
}

export interface PersonalSubjectInput extends UnitSubjectInput {
  readonly personName: string;
}

function extension(extnID: string, critical: boolean, value: ArrayBuffer | Uint8Array): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(value) });
}

const ser = (value: unknown): ArrayBuffer => AsnConvert.serialize(value);

/**
 * Extensions that depend only on a few inputs repeated across every certificate of a CA (its
 * URLs, the key usage of a profile): their values are encoded once per input and each caller gets
 * a new Extension around its own copy, so no caller can change another's certificate. Bounded: the
 * inputs are configuration, not request data.
 */
const sharedExtensions = new Map<string, { extnID: string; critical: boolean; value: Uint8Array }>();
const SHARED_EXTENSIONS_MAX = 1024;

function shared(key: string, make: () => Extension): Extension {
  let known = sharedExtensions.get(key);
  if (!known) {
    const made = make();
    known = { extnID: made.extnID, critical: made.critical, value: new Uint8Array(made.extnValue.buffer.slice(0)) };
    if (sharedExtensions.size < SHARED_EXTENSIONS_MAX) sharedExtensions.set(key, known);
  }
  return extension(known.extnID, known.critical, known.value.slice());
}

function checkedUrl(field: string, url: string): string {
  // IA5String: ASCII only; an IRI must be converted (punycode/percent-encoding) by the caller.
  let parsed: URL | undefined;
  try {
    parsed = /^[\x21-\x7e]+$/.test(url) ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:', 'ldap:'].includes(parsed.protocol)) {
    throw new X509InputError(field, 'must be an ASCII http(s)/ldap URL', `${field} 地址无效`);
  }
  return url;
}

const subjectKeyIdentifier = (spki: Uint8Array): Extension =>
  extension(id_ce_subjectKeyIdentifier, false, ser(new SubjectKeyIdentifier(keyIdentifierOf(spki))));

function basicConstraints(cA: boolean, critical: boolean, pathLenConstraint?: number): Extension {
  if (pathLenConstraint !== undefined && (!Number.isInteger(pathLenConstraint) || pathLenConstraint < 0)) {
    throw new X509InputError('pathLenConstraint', 'must be a non-negative integer', '路径长度约束无效');
  }
  return shared(`bc:${cA}:${critical}:${pathLenConstraint}`, () => extension(id_ce_basicConstraints, critical, ser(new BasicConstraints({ cA, pathLenConstraint }))));
}

// RFC 5280 §4.2.1.3: conforming CAs SHOULD mark keyUsage critical; all ecert profiles do.
const keyUsage = (flags: number): Extension => shared(`ku:${flags}`, () => extension(id_ce_keyUsage, true, ser(new KeyUsage(flags))));

const distributionPoint = (field: string, url: string): DistributionPoint =>
  new DistributionPoint({
    distributionPoint: new DistributionPointName({
      fullName: [new GeneralName({ uniformResourceIdentifier: checkedUrl(field, url) })],
    }),
  });

function crlDistributionPoint(crlUrl: string): Extension {
  return shared(`crl:${crlUrl}`, () => extension(id_ce_cRLDistributionPoints, false, ser(new CRLDistributionPoints([distributionPoint('crlUrl', crlUrl)]))));
}

// RFC 5280 §4.2.1.15: MUST be non-critical; same syntax as the CRL distribution points.
function freshestCrl(deltaCrlUrl: string | undefined): Extension | undefined {
  return deltaCrlUrl === undefined ? undefined : shared(`delta:${deltaCrlUrl}`, () => extension(id_ce_freshestCRL, false, ser(new FreshestCRL([distributionPoint('deltaCrlUrl', deltaCrlUrl)]))));
}

function authorityInfoAccess(ocspUrl: string | undefined, caIssuersUrl: string | undefined): Extension | undefined {
  if (ocspUrl === undefined && caIssuersUrl === undefined) return undefined;
  return shared(`aia:${JSON.stringify([ocspUrl ?? null, caIssuersUrl ?? null])}`, () => {
    const items: AccessDescription[] = [];
    if (ocspUrl !== undefined) {
      items.push(new AccessDescription({
        accessMethod: PROFILE_OID.adOcsp,
        accessLocation: new GeneralName({ uniformResourceIdentifier: checkedUrl('ocspUrl', ocspUrl) }),
      }));
    }
    if (caIssuersUrl !== undefined) {
      items.push(new AccessDescription({
        accessMethod: PROFILE_OID.adCaIssuers,
        accessLocation: new GeneralName({ uniformResourceIdentifier: checkedUrl('caIssuersUrl', caIssuersUrl) }),
      }));
    }
    return extension(id_pe_authorityInfoAccess, false, ser(new AuthorityInfoAccessSyntax(items)));
  });
}

function certificatePolicies(policies: readonly PolicyInput[] | undefined): Extension | undefined {
  if (!policies || policies.length === 0) return undefined;
  const infos = policies.map((p) => {
    if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(p.oid)) throw new X509InputError('policies.oid', 'not a dotted OID', '证书策略标识无效');
    const qualifiers = p.cpsUri === undefined ? undefined : [
      new PolicyQualifierInfo({
        policyQualifierId: PROFILE_OID.qtCps,
        qualifier: new asn1js.IA5String({ value: checkedUrl('policies.cpsUri', p.cpsUri) }).toBER(),
      }),
    ];
    return new PolicyInformation({ policyIdentifier: p.oid, policyQualifiers: qualifiers });
  });
  return extension(id_ce_certificatePolicies, false, ser(new CertificatePolicies(infos)));
}

/** Non-critical identifier extension whose value is a DER PrintableString (GM/T 0015 style). */
function printableStringExtension(oid: string, field: string, value: string, pattern: RegExp, zh: string): Extension {
  if (!pattern.test(value)) throw new X509InputError(field, 'bad format', zh);
  return extension(oid, false, new asn1js.PrintableString({ value }).toBER());
}

const compact = (list: readonly (Extension | undefined)[]): Extension[] => list.filter((e): e is Extension => e !== undefined);

const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/; // GB 32100 alphabet; the check character is the validator's job
// GB 11643 number (the check digit is the validator's job) or its salted hash.
const PERSONAL_ID_CODE_PATTERN = new RegExp(`${RESIDENT_ID_NUMBER_PATTERN.source}|${PERSONAL_ID_HASH_PATTERN.source}`);

// Non-critical: relying parties that do not know a purpose still see the key usage.
const extendedKeyUsage = (purposes: readonly string[]): Extension =>
  shared(`eku:${purposes.join(',')}`, () => extension(id_ce_extKeyUsage, false, ser(new ExtendedKeyUsage([...purposes]))));

/**
 * Unit and personal (UKey) certificates: log in (clientAuth; the login refuses certificates whose
 * EKU lacks it) and sign documents with the seals bound to them (documentSigning, RFC 9336).
 */
const SUBSCRIBER_PURPOSES = [PROFILE_OID.kpClientAuth, PROFILE_OID.kpDocumentSigning] as const;
const SUBSCRIBER_KEY_USAGE = KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation;

function endEntityCommon(input: EndEntityProfileInput, flags: number, purposes?: readonly string[]): Extension[] {
  return compact([
    keyUsage(flags),
    purposes ? extendedKeyUsage(purposes) : undefined,
    basicConstraints(false, false),
    subjectKeyIdentifier(input.subjectSpki),
    crlDistributionPoint(input.crlUrl),
    freshestCrl(input.deltaCrlUrl),
    authorityInfoAccess(input.ocspUrl, input.caIssuersUrl)!,
  ]);
}

/**
 * Extension sets per certificate type. The builder adds the AuthorityKeyIdentifier (it knows the
 * issuer), so no profile takes the issuer key. Subject helpers give the names the spec fixes.
 */
export const certificateProfiles = {
  /** Self-signed root: CA (critical), keyCertSign + cRLSign (critical), SKI. */
  rootCa(input: RootCaProfileInput): Extension[] {
    return [
      basicConstraints(true, true, input.pathLenConstraint),
      keyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
      subjectKeyIdentifier(input.subjectSpki),
    ];
  },

  /** Issuing CA under the root: CA pathLen 0, keyCertSign + cRLSign, SKI, and the root's CRL DP/AIA when given. */
  issuingCa(input: IssuingCaProfileInput): Extension[] {
    return compact([
      basicConstraints(true, true, input.pathLenConstraint ?? 0),
      keyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
      subjectKeyIdentifier(input.subjectSpki),
      input.crlUrl === undefined ? undefined : crlDistributionPoint(input.crlUrl),
      authorityInfoAccess(input.ocspUrl, input.caIssuersUrl),
      certificatePolicies(input.policies),
    ]);
  },

  /**
   * Delegated OCSP responder (RFC 6960 §4.2.2.2): EKU OCSPSigning, ocsp-nocheck (so clients do
   * not ask the responder about itself; keep its validity short), digitalSignature (critical).
   */
  ocspSigner(input: OcspSignerProfileInput): Extension[] {
    return [
      keyUsage(KeyUsageFlags.digitalSignature),
      extension(id_ce_extKeyUsage, false, ser(new ExtendedKeyUsage([PROFILE_OID.kpOcspSigning]))),
      extension(PROFILE_OID.ocspNoCheck, false, new asn1js.Null().toBER()),
      subjectKeyIdentifier(input.subjectSpki),
    ];
  },

  /**
   * 制章者 certificate that signs SES seals (GB/T 38540): digitalSignature + nonRepudiation and the
   * EKU id-kp-ecertSealMaking alone. Key usage cannot tell it from a unit's UKey certificate (both
   * sign), so the EKU is what makes it the seal maker: ecert's verifier accepts a seal made under
   * ecert's CAs only with it. It signs seals, never documents, so EKU-aware document software
   * refusing the key is right.
   */
  sealMaker(input: EndEntityProfileInput): Extension[] {
    return compact([
      ...endEntityCommon(input, KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation, [PROFILE_OID.kpEcertSealMaking]),
      certificatePolicies(input.policies),
    ]);
  },

  /** 单位身份证书: digitalSignature + nonRepudiation, EKU clientAuth + documentSigning, CA:FALSE, SKI, CRL DP, AIA, USCC extension. */
  unit(input: UnitProfileInput): Extension[] {
    return compact([
      ...endEntityCommon(input, SUBSCRIBER_KEY_USAGE, SUBSCRIBER_PURPOSES),
      certificatePolicies(input.policies),
      printableStringExtension(PROFILE_OID.unitUscc, 'uscc', input.uscc, USCC_PATTERN, '统一社会信用代码格式错误'),
    ]);
  },

  /** 个人身份证书: as unit, with the 个人身份标识码 extension (ID hash or number) instead of the USCC. */
  personal(input: PersonalProfileInput): Extension[] {
    return compact([
      ...endEntityCommon(input, SUBSCRIBER_KEY_USAGE, SUBSCRIBER_PURPOSES),
      certificatePolicies(input.policies),
      printableStringExtension(PROFILE_OID.personalIdNumber, 'idNumber', input.idNumber, PERSONAL_ID_CODE_PATTERN, '个人身份标识码格式错误'),
    ]);
  },

  /** Unit subject: C=CN, ST=province, L=city, O=unit name, CN=unit name. */
  unitSubject(input: UnitSubjectInput): DistinguishedNameInput {
    return { C: 'CN', ST: input.province, L: input.city, O: input.unitName, CN: input.unitName };
  },

  /** Personal subject: C=CN, ST=province, L=city, O=unit name, CN=person name. */
  personalSubject(input: PersonalSubjectInput): DistinguishedNameInput {
    return { C: 'CN', ST: input.province, L: input.city, O: input.unitName, CN: input.personName };
  },
} as const;
