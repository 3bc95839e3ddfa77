import { readAttributes, type CmsAttribute } from './attribute-reader';
import { TAG, expectOid, expectUniversal, isContext, isUniversal, octetStringContent, readBer, type BerNode } from './ber-node-reader';
import { CmsError } from './cms-error';
import { CMS_OID } from './cms-oids';

export interface ParsedAlgorithm {
  readonly oid: string;
  /** Parameters TLV as received, if any. */
  readonly parameters?: Uint8Array;
}

export type SignerId =
  | { readonly kind: 'issuerAndSerialNumber'; readonly issuer: Uint8Array; readonly serialNumber: Uint8Array }
  | { readonly kind: 'subjectKeyIdentifier'; readonly keyId: Uint8Array };

export interface ParsedSignerInfo {
  readonly version: number;
  readonly sid: SignerId;
  readonly digestAlgorithm: ParsedAlgorithm;
  /** The signed attributes as the signature covers them: the received bytes with the SET tag 0x31. */
  readonly signedAttributesDer?: Uint8Array;
  readonly signedAttributes: readonly CmsAttribute[];
  readonly signatureAlgorithm: ParsedAlgorithm;
  readonly signature: Uint8Array;
  readonly unsignedAttributes: readonly CmsAttribute[];
}

export interface ParsedSignedData {
  readonly oidFamily: 'pkcs7' | 'gbt35275';
  readonly version: number;
  readonly digestAlgorithms: readonly ParsedAlgorithm[];
  readonly eContentType: string;
  /** Present when the content is encapsulated (not detached). */
  readonly eContent?: Uint8Array;
  /** Certificates (CertificateChoices that are plain certificates), DER as received. */
  readonly certificates: readonly Uint8Array[];
  readonly signerInfos: readonly ParsedSignerInfo[];
}

const SIGNED_DATA_OIDS: Readonly<Record<string, 'pkcs7' | 'gbt35275'>> = {
  [CMS_OID.signedData]: 'pkcs7',
  [CMS_OID.gbSignedData]: 'gbt35275',
};

/**
 * Reads a ContentInfo(SignedData) of either OID family, BER or DER, keeping the received bytes of
 * what is hashed or compared. Throws CmsError('cms_malformed') for anything structurally wrong;
 * what it contains (algorithms, attributes) is for the verifier to judge.
 */
export function parseSignedData(cmsDer: Uint8Array): ParsedSignedData {
  const contentInfo = expectUniversal(readBer(cmsDer), TAG.SEQUENCE, 'ContentInfo');
  const contentType = expectOid(contentInfo.children[0], 'ContentInfo.contentType');
  const oidFamily = SIGNED_DATA_OIDS[contentType];
  if (!oidFamily) throw new CmsError('cms_malformed', `ContentInfo.contentType ${contentType} is not SignedData`);
  const wrapper = contentInfo.children[1];
  if (!isContext(wrapper, 0) || !wrapper.constructed) throw new CmsError('cms_malformed', 'ContentInfo.content [0] is missing');
  const sd = expectUniversal(wrapper.children[0], TAG.SEQUENCE, 'SignedData');
  const [versionNode, digestAlgorithmsNode, encap, ...rest] = sd.children;
  const version = smallInteger(versionNode, 'SignedData.version');
  const digestAlgorithms = expectUniversal(digestAlgorithmsNode, TAG.SET, 'SignedData.digestAlgorithms').children.map((n, i) =>
    algorithm(n, `SignedData.digestAlgorithms[${i}]`),
  );
  const encapSeq = expectUniversal(encap, TAG.SEQUENCE, 'SignedData.encapContentInfo');
  const eContentType = expectOid(encapSeq.children[0], 'encapContentInfo.eContentType');
  const eContentWrapper = encapSeq.children[1];
  const eContent =
    isContext(eContentWrapper, 0) && eContentWrapper.children[0]
      ? octetStringContent(expectUniversal(eContentWrapper.children[0], TAG.OCTET_STRING, 'encapContentInfo.eContent'))
      : undefined;

  const signerInfosNode = rest[rest.length - 1];
  const certificatesNode = rest.find((n) => isContext(n, 0));
  const certificates = (certificatesNode?.children ?? []).filter((n) => isUniversal(n, TAG.SEQUENCE)).map((n) => n.raw);
  const signerInfos = expectUniversal(signerInfosNode, TAG.SET, 'SignedData.signerInfos').children.map((n, i) =>
    signerInfo(n, `SignerInfo[${i}]`),
  );
  return { oidFamily, version, digestAlgorithms, eContentType, ...(eContent ? { eContent } : {}), certificates, signerInfos };
}

function signerInfo(node: BerNode, path: string): ParsedSignerInfo {
  const c = expectUniversal(node, TAG.SEQUENCE, path).children;
  let i = 0;
  const version = smallInteger(c[i++], `${path}.version`);
  const sidNode = c[i++];
  let sid: SignerId;
  if (isUniversal(sidNode, TAG.SEQUENCE)) {
    const issuer = expectUniversal(sidNode.children[0], TAG.SEQUENCE, `${path}.sid.issuer`).raw;
    const serialNumber = expectUniversal(sidNode.children[1], TAG.INTEGER, `${path}.sid.serialNumber`).content;
    sid = { kind: 'issuerAndSerialNumber', issuer, serialNumber };
  } else if (isContext(sidNode, 0)) {
    sid = { kind: 'subjectKeyIdentifier', keyId: octetStringContent(sidNode) };
  } else {
    throw new CmsError('cms_malformed', `${path}.sid is neither issuerAndSerialNumber nor subjectKeyIdentifier`);
  }
  const digestAlgorithm = algorithm(c[i++], `${path}.digestAlgorithm`);
  let signedAttributesDer: Uint8Array | undefined;
  let signedAttributes: CmsAttribute[] = [];
  if (isContext(c[i], 0)) {
    const attrs = c[i++]!;
    signedAttributesDer = attrs.raw.slice();
    signedAttributesDer[0] = 0x31; // RFC 5652 §5.4: the signature covers the EXPLICIT SET OF tag
    signedAttributes = readAttributes(attrs, `${path}.signedAttrs`);
  }
  const signatureAlgorithm = algorithm(c[i++], `${path}.signatureAlgorithm`);
  const signature = octetStringContent(expectUniversal(c[i++], TAG.OCTET_STRING, `${path}.signature`));
  const unsignedAttributes = isContext(c[i], 1) ? readAttributes(c[i]!, `${path}.unsignedAttrs`) : [];
  return {
    version,
    sid,
    digestAlgorithm,
    ...(signedAttributesDer ? { signedAttributesDer } : {}),
    signedAttributes,
    signatureAlgorithm,
    signature,
    unsignedAttributes,
  };
}

function algorithm(node: BerNode | undefined, path: string): ParsedAlgorithm {
  const seq = expectUniversal(node, TAG.SEQUENCE, path);
  const oid = expectOid(seq.children[0], `${path}.algorithm`);
  const params = seq.children[1];
  return params ? { oid, parameters: params.raw } : { oid };
}

function smallInteger(node: BerNode | undefined, path: string): number {
  const n = expectUniversal(node, TAG.INTEGER, path);
  if (n.content.length === 0 || n.content.length > 4) throw new CmsError('cms_malformed', `${path} is not a small INTEGER`);
  return n.content.reduce((v, b) => v * 256 + b, 0);
}
