import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  KeyUsage,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import {
  TAG,
  childrenOf,
  expectTag,
  readBitString,
  readBoolean,
  readOctetString,
  readOid,
  readSingleNode,
  sequenceChildren,
  type DerNode,
} from './der/der-reader';
import { readTime } from './der/der-time';
import { formatName } from './pki-bridge';

/**
 * The parts of an X.509 certificate that seal verification needs, with the signed TBSCertificate,
 * the names and the SPKI as received (chaining compares names byte for byte and verifies over the
 * received TBS). Lenient about what real SM2 certificates do (NULL parameters beside SM2-with-SM3,
 * non-DER booleans); throws SesDecodeError for anything that is not a certificate.
 */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly serialNumberHex: string;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  /** e.g. `C=CN, O=…, CN=…`; the DER as hex when the name cannot be rendered. */
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly signatureAlgorithmOid: string;
  /** DER of the AlgorithmIdentifier parameters (NULL for some SM2 certificates), if any. */
  readonly signatureAlgorithmParameters?: Uint8Array;
  readonly signatureValue: Uint8Array;
  /** basicConstraints cA; undefined when the extension is absent. */
  readonly isCa?: boolean;
  readonly pathLenConstraint?: number;
  /** KeyUsage bits as @peculiar/asn1-x509 KeyUsageFlags; undefined when the extension is absent. */
  readonly keyUsage?: number;
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  /** extendedKeyUsage purposes (dotted OIDs); undefined when absent, [] when present but unreadable. */
  readonly extendedKeyUsage?: readonly string[];
  /** Dotted OIDs of the extensions marked critical (RFC 3161 §2.3 wants a critical EKU for a TSA). */
  readonly criticalExtensions: readonly string[];
}

export function parseCertificate(der: Uint8Array, path = 'Certificate'): ParsedCertificate {
  const root = readSingleNode(der, path);
  const [tbsNode, algNode, sigNode] = sequenceChildren(root, path, 'Certificate');
  const tbsPath = `${path}.tbsCertificate`;
  const t = sequenceChildren(tbsNode, tbsPath, 'TBSCertificate');
  let i = t[0]?.tag === 0xa0 ? 1 : 0;
  const serial = expectTag(t[i++], TAG.INTEGER, `${tbsPath}.serialNumber`, 'serialNumber');
  i++; // inner signature AlgorithmIdentifier: the outer one is authoritative for verification
  const issuer = expectTag(t[i++], TAG.SEQUENCE, `${tbsPath}.issuer`, 'issuer');
  const validity = sequenceChildren(t[i++], `${tbsPath}.validity`, 'validity');
  const subject = expectTag(t[i++], TAG.SEQUENCE, `${tbsPath}.subject`, 'subject');
  const spki = expectTag(t[i++], TAG.SEQUENCE, `${tbsPath}.subjectPublicKeyInfo`, 'subjectPublicKeyInfo');
  const extensionsNode = t.slice(i).find((n) => n.tag === 0xa3);

  const alg = sequenceChildren(algNode, `${path}.signatureAlgorithm`, 'signatureAlgorithm');
  const signatureAlgorithmOid = readOid(alg[0], `${path}.signatureAlgorithm.algorithm`, 'algorithm');
  const params = alg[1]?.tlv.slice();

  const critical: string[] = [];
  const ext = extensionsNode ? readExtensions(extensionsNode, `${tbsPath}.extensions`, critical) : new Map<string, Uint8Array>();
  const bc = decodeExtension(ext.get(id_ce_basicConstraints), BasicConstraints);
  const ku = decodeExtension(ext.get(id_ce_keyUsage), KeyUsage);
  const ski = decodeExtension(ext.get(id_ce_subjectKeyIdentifier), SubjectKeyIdentifier);
  const aki = decodeExtension(ext.get(id_ce_authorityKeyIdentifier), AuthorityKeyIdentifier);
  const eku = ext.get(ID_CE_EXT_KEY_USAGE);

  return {
    der: root.tlv.slice(),
    tbs: tbsNode!.tlv.slice(),
    serialNumberHex: Buffer.from(serial.content).toString('hex'),
    issuerDer: issuer.tlv.slice(),
    subjectDer: subject.tlv.slice(),
    issuer: renderName(issuer.tlv),
    subject: renderName(subject.tlv),
    notBefore: readTime(validity[0], `${tbsPath}.validity.notBefore`, 'notBefore'),
    notAfter: readTime(validity[1], `${tbsPath}.validity.notAfter`, 'notAfter'),
    spki: spki.tlv.slice(),
    signatureAlgorithmOid,
    ...(params ? { signatureAlgorithmParameters: params } : {}),
    signatureValue: readBitString(sigNode, `${path}.signatureValue`, 'signatureValue'),
    // A present but undecodable extension counts as the most restrictive value.
    ...(bc !== undefined ? { isCa: bc?.cA ?? false } : {}),
    ...(bc?.pathLenConstraint !== undefined ? { pathLenConstraint: bc.pathLenConstraint } : {}),
    ...(ku !== undefined ? { keyUsage: ku?.toNumber() ?? 0 } : {}),
    ...(ski ? { subjectKeyId: new Uint8Array(ski.buffer) } : {}),
    ...(aki?.keyIdentifier ? { authorityKeyId: new Uint8Array(aki.keyIdentifier.buffer) } : {}),
    ...(eku ? { extendedKeyUsage: readPurposes(eku) } : {}),
    criticalExtensions: critical,
  };
}

const ID_CE_EXT_KEY_USAGE = '2.5.29.37';

/**
 * ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId, read with this library's OID reader (arcs of any
 * size: @peculiar/asn1-x509 renders UUID arcs such as ecert's seal-making purpose as hex). An
 * unreadable value gives no purposes at all, the most restrictive reading.
 */
function readPurposes(value: Uint8Array): string[] {
  try {
    const seq = readSingleNode(value, 'extKeyUsage');
    return sequenceChildren(seq, 'extKeyUsage', 'ExtKeyUsageSyntax').map((n, i) => readOid(n, `extKeyUsage[${i}]`, 'KeyPurposeId'));
  } catch {
    return [];
  }
}

function readExtensions(node: DerNode, path: string, critical: string[]): Map<string, Uint8Array> {
  const [seq] = childrenOf(node, path);
  const out = new Map<string, Uint8Array>();
  for (const [n, e] of sequenceChildren(seq, path, 'Extensions').entries()) {
    const p = `${path}[${n}]`;
    const f = sequenceChildren(e, p, 'Extension');
    const oid = readOid(f[0], `${p}.extnID`, 'extnID');
    const isCritical = f[1]?.tag === TAG.BOOLEAN ? readBoolean(f[1], `${p}.critical`) : false;
    if (isCritical) critical.push(oid);
    const valueNode = f[1]?.tag === TAG.BOOLEAN ? f[2] : f[1];
    out.set(oid, readOctetString(valueNode, `${p}.extnValue`, 'extnValue'));
  }
  return out;
}

/** An extension value; undefined when absent, null when present but undecodable. */
function decodeExtension<T>(value: Uint8Array | undefined, type: new () => T): T | null | undefined {
  if (!value) return undefined;
  try {
    return AsnConvert.parse(value, type);
  } catch {
    return null;
  }
}

function renderName(der: Uint8Array): string {
  try {
    return formatName(der.slice());
  } catch {
    return `#${Buffer.from(der).toString('hex')}`;
  }
}
