import { Attribute, id_contentType, id_messageDigest, MessageDigest } from '@peculiar/asn1-cms';
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import * as asn1js from 'asn1js';
import { PLATFORM_KEY_SIGN_MAX_BYTES } from '@ecert/contracts';

/** `SignedAttributes ::= SET SIZE (1..MAX) OF Attribute` (RFC 5652 §5.3), as signed: the universal SET, not [0]. */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
class SignedAttributeSet extends AsnArray<Attribute> {}

/** id-data (RFC 5652; PAdES) and GB/T 35275's data (SM2 SignedData): the content a document signature covers. */
export const DOCUMENT_CONTENT_TYPES = ['1.2.840.113549.1.7.1', '1.2.156.10197.6.1.4.2.1'] as const;
/** SHA-256 and SM3 (32), SHA-384 (48), SHA-512 (64). */
const DIGEST_LENGTHS = [32, 48, 64];

export interface SignedAttributes {
  contentType: string;
  /** The message-digest attribute: the digest of the signed content (the PDF's ByteRange). */
  messageDigest: Uint8Array;
  attributeTypes: string[];
}

export type SignedAttributesResult = { ok: true; value: SignedAttributes } | { ok: false; problem: string };

/**
 * Reads bytes that claim to be a CMS SignerInfo's signedAttrs as they are signed: exactly one DER
 * SET (tag 0x31) of at most 8 KiB, nothing trailing, of attributes each present once, among them a
 * content-type of document data and one message-digest of a known length. This is what keeps a
 * platform-held key from signing anything else: every certificate, CRL, OCSP answer and SES
 * structure it could be abused for begins with a SEQUENCE (0x30), never a SET.
 */
export function parseSignedAttributes(data: Uint8Array): SignedAttributesResult {
  const fail = (problem: string): SignedAttributesResult => ({ ok: false, problem });
  if (data.length === 0) return fail('it is empty');
  if (data.length > PLATFORM_KEY_SIGN_MAX_BYTES) return fail(`it has ${data.length} bytes, more than ${PLATFORM_KEY_SIGN_MAX_BYTES}`);
  if (data[0] !== 0x31) return fail(`it begins with tag 0x${data[0]!.toString(16).padStart(2, '0')}, not a SET (0x31)`);
  let set: SignedAttributeSet;
  try {
    set = AsnConvert.parse(data, SignedAttributeSet);
  } catch (e) {
    return fail(`it is not a SET OF Attribute: ${(e as Error).message}`);
  }
  // One element exactly, re-encoding to the same bytes: no trailing data, nothing the parser skipped.
  if (!Buffer.from(AsnConvert.serialize(set)).equals(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) {
    return fail('it is not exactly one DER SET OF Attribute (trailing or non-DER bytes)');
  }
  if (set.length === 0) return fail('it holds no attribute');
  const types = set.map((a) => a.attrType);
  const repeated = types.find((t, i) => types.indexOf(t) !== i);
  if (repeated) return fail(`attribute ${repeated} appears more than once`);
  const contentType = single(set, id_contentType, 'content-type');
  if (typeof contentType !== 'object') return fail(contentType);
  const oid = readOid(contentType);
  if (!oid) return fail('the content-type attribute is not an OBJECT IDENTIFIER');
  if (!(DOCUMENT_CONTENT_TYPES as readonly string[]).includes(oid)) return fail(`the content type ${oid} is not document data (${DOCUMENT_CONTENT_TYPES.join(' or ')})`);
  const digestValue = single(set, id_messageDigest, 'message-digest');
  if (typeof digestValue !== 'object') return fail(digestValue);
  let digest: Uint8Array;
  try {
    digest = new Uint8Array(AsnConvert.parse(digestValue, MessageDigest).buffer);
  } catch {
    return fail('the message-digest attribute is not an OCTET STRING');
  }
  if (!DIGEST_LENGTHS.includes(digest.length)) return fail(`the message digest has ${digest.length} bytes, not ${DIGEST_LENGTHS.join(', ')}`);
  return { ok: true, value: { contentType: oid, messageDigest: digest, attributeTypes: types } };
}

/** The one value of the attribute of this type, or why there is none. */
function single(set: Attribute[], type: string, name: string): ArrayBuffer | string {
  const attribute = set.find((a) => a.attrType === type);
  if (!attribute) return `it has no ${name} attribute (${type})`;
  if (attribute.attrValues.length !== 1) return `the ${name} attribute must have exactly one value`;
  return attribute.attrValues[0]!;
}

function readOid(value: ArrayBuffer): string | undefined {
  const parsed = asn1js.fromBER(value);
  return parsed.offset === value.byteLength && parsed.result instanceof asn1js.ObjectIdentifier ? parsed.result.valueBlock.toString() : undefined;
}
