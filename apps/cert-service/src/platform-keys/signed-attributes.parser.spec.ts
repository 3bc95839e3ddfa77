import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derOid, derTlv } from '@ecert/pki';
import { parseSignedAttributes } from './signed-attributes.parser';

const CONTENT_TYPE = '1.2.840.113549.1.9.3';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const ID_DATA = '1.2.840.113549.1.7.1';

const seq = (...parts: Uint8Array[]) => derTlv(0x30, ...parts);
const set = (...parts: Uint8Array[]) => derTlv(0x31, ...parts);
const octets = (b: Uint8Array) => derTlv(0x04, b);
const attribute = (type: string, ...values: Uint8Array[]) => seq(derOid(type), set(...values));
const digest = new Uint8Array(createHash('sha256').update('the document').digest());
const contentType = (oid = ID_DATA) => attribute(CONTENT_TYPE, derOid(oid));
const messageDigest = (d: Uint8Array = digest) => attribute(MESSAGE_DIGEST, octets(d));

describe('parseSignedAttributes', () => {
  it('reads the content type and message digest of PAdES and GB/T 35275 signed attributes', () => {
    const pades = parseSignedAttributes(set(contentType(), messageDigest(), attribute(SIGNING_CERTIFICATE_V2, seq(seq(seq(octets(digest)))))));
    expect(pades).toEqual({ ok: true, value: { contentType: ID_DATA, messageDigest: digest, attributeTypes: [CONTENT_TYPE, MESSAGE_DIGEST, SIGNING_CERTIFICATE_V2] } });
    const gm = parseSignedAttributes(set(contentType('1.2.156.10197.6.1.4.2.1'), messageDigest()));
    expect(gm).toMatchObject({ ok: true, value: { contentType: '1.2.156.10197.6.1.4.2.1' } });
  });

  it.each([
    ['an empty input', new Uint8Array(0), /empty/],
    ['a SEQUENCE (a TBSCertificate, say)', seq(contentType(), messageDigest()), /not a SET \(0x31\)/],
    ['the [0] IMPLICIT form of a SignerInfo', derTlv(0xa0, contentType(), messageDigest()), /not a SET/],
    ['trailing bytes', new Uint8Array([...set(contentType(), messageDigest()), 0x00]), /trailing/],
    ['a SET of something else', set(derOid(ID_DATA)), /not a SET OF Attribute|no content-type/],
    ['no message digest', set(contentType()), /no message-digest/],
    ['no content type', set(messageDigest()), /no content-type/],
    ['a repeated attribute', set(contentType(), messageDigest(), messageDigest()), /more than once/],
    ['two digest values', set(contentType(), attribute(MESSAGE_DIGEST, octets(digest), octets(digest))), /exactly one value/],
    ['a content type that is not document data', set(contentType('1.2.840.113549.1.7.2'), messageDigest()), /not document data/],
    ['a digest of an odd length', set(contentType(), messageDigest(new Uint8Array(20))), /20 bytes/],
    ['a digest that is not an OCTET STRING', set(contentType(), attribute(MESSAGE_DIGEST, derOid(ID_DATA))), /not an OCTET STRING/],
    ['more than 8 KiB', set(contentType(), messageDigest(), attribute('1.2.3.4', octets(new Uint8Array(8200)))), /more than 8192/],
  ])('refuses %s', (_what, data, problem) => {
    const r = parseSignedAttributes(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});
