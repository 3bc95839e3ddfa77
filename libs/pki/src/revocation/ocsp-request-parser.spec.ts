import { readFileSync } from 'node:fs';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extension, GeneralName } from '@peculiar/asn1-x509';
import { CertID, Signature, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derExplicit, derSequence } from '../der/der-writer';
import { ocspIssuerKeys, ocspIssuerLookupKey } from './ocsp-issuer-keys';
import { OcspRequestError, parseOcspRequest } from './ocsp-request-parser';
import { TestPki, type TestCert } from './test-pki.spec-helper';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * An OCSPRequest for the shapes openssl's client never sends, assembled from parts serialized by
 * @peculiar/asn1-ocsp / asn1-x509. (Not a whole asn1-ocsp OCSPRequest: its Request class writes
 * singleRequestExtensions without the [0] tag RFC 6960 requires.)
 */
function asn1Request(options: {
  hashOid?: string;
  nameHash?: Uint8Array;
  keyHash?: Uint8Array;
  serial?: Uint8Array;
  extensions?: Extension[];
  single?: Extension[];
  requestorName?: boolean;
  signed?: boolean;
  count?: number;
  explicitVersion?: boolean;
}): Uint8Array {
  const ser = (v: object): Uint8Array => new Uint8Array(AsnConvert.serialize(v));
  const certId = ser(
    new CertID({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: options.hashOid ?? '1.3.14.3.2.26', parameters: null }),
      issuerNameHash: new OctetString(options.nameHash ?? new Uint8Array(20).fill(1)),
      issuerKeyHash: new OctetString(options.keyHash ?? new Uint8Array(20).fill(2)),
      serialNumber: (options.serial ?? Uint8Array.of(0x01, 0x02)).buffer as ArrayBuffer,
    }),
  );
  const request = options.single
    ? derSequence(certId, derExplicit(0, derSequence(...options.single.map(ser))))
    : derSequence(certId);
  const tbs: Uint8Array[] = [];
  if (options.explicitVersion) tbs.push(derExplicit(0, Uint8Array.of(0x02, 0x01, 0x00)));
  if (options.requestorName) tbs.push(derExplicit(1, ser(new GeneralName({ dNSName: 'client.ecert.test' }))));
  tbs.push(derSequence(...Array.from({ length: options.count ?? 1 }, () => request)));
  if (options.extensions) tbs.push(derExplicit(2, derSequence(...options.extensions.map(ser))));
  const signature = options.signed
    ? [
        derExplicit(
          0,
          ser(
            new Signature({
              signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }),
              signature: new Uint8Array(64).fill(7).buffer,
            }),
          ),
        ),
      ]
    : [];
  return derSequence(derSequence(...tbs), ...signature);
}

const nonceExtension = (value: Uint8Array, critical = false): Extension =>
  new Extension({ extnID: id_pkix_ocsp_nonce, critical, extnValue: new OctetString(value) });

function expectMalformed(der: Uint8Array, detail?: RegExp): void {
  let error: unknown;
  try {
    parseOcspRequest(der);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OcspRequestError);
  expect((error as OcspRequestError).responseStatus).toBe('malformedRequest');
  if (detail) expect((error as OcspRequestError).detail).toMatch(detail);
}

describe('parseOcspRequest with requests made by openssl ocsp', () => {
  let pki: TestPki;
  let leaf: TestCert;
  let leaf2: TestCert;
  beforeAll(() => {
    pki = TestPki.create('ec');
    leaf = pki.issueLeaf('leaf', '7e57000000000001');
    leaf2 = pki.issueLeaf('leaf2', 'fe57000000000002');
  });
  afterAll(() => pki.cleanup());

  const request = (args: string[]): Uint8Array => {
    const r = pki.run(['ocsp', '-issuer', pki.ca.pem, ...args, '-reqout', 'req.der']);
    expect(r.status, r.output).toBe(0);
    return new Uint8Array(readFileSync(pki.path('req.der')));
  };

  it('reads the CertID and the nonce exactly as sent (OCTET STRING inside extnValue)', () => {
    const der = request(['-cert', leaf.pem]);
    const parsed = parseOcspRequest(der);
    expect(parsed.signed).toBe(false);
    expect(parsed.certIds).toHaveLength(1);
    const id = parsed.certIds[0]!;
    expect(id.hashAlgorithm).toBe('sha1');
    expect(id.hashAlgorithmOid).toBe('1.3.14.3.2.26');
    expect(id.serialKey).toBe('7e57000000000001');
    const keys = new Map(ocspIssuerKeys(pki.ca.der).map((k) => [k.lookupKey, k]));
    expect(keys.get(ocspIssuerLookupKey(id)!)?.hashAlgorithm).toBe('sha1');

    expect(parsed.nonce).toBeDefined();
    expect(parsed.nonce!.length).toBe(18);
    expect(hex(parsed.nonce!.subarray(0, 2))).toBe('0410');
    // The very bytes openssl put on the wire, found in the request at the nonce's place.
    expect(hex(der)).toContain(`06092b0601050507300102 0412 ${hex(parsed.nonce!)}`.replace(/ /g, ''));
    const text = pki.run(['ocsp', '-reqin', 'req.der', '-req_text']).output;
    expect(text.replace(/[\s:]/g, '').toLowerCase()).toContain(hex(parsed.nonce!));
    // CertID echoed byte for byte later: it is the exact DER slice of the request.
    expect(hex(der)).toContain(hex(id.der));
  });

  it('reads a request without nonce', () => {
    const parsed = parseOcspRequest(request(['-cert', leaf.pem, '-no_nonce']));
    expect(parsed.nonce).toBeUndefined();
    expect(parsed.certIds).toHaveLength(1);
  });

  it('reads SHA-256 CertIDs and several certificates per request, including a serial with the sign byte', () => {
    const parsed = parseOcspRequest(request(['-sha256', '-cert', leaf.pem, '-cert', leaf2.pem, '-serial', '0x0abc']));
    expect(parsed.certIds.map((c) => c.hashAlgorithm)).toEqual(['sha256', 'sha256', 'sha256']);
    expect(parsed.certIds.map((c) => c.serialKey)).toEqual(['7e57000000000001', 'fe57000000000002', '0abc']);
    expect(hex(parsed.certIds[1]!.serialNumber)).toBe('00fe57000000000002');
    const sha256 = ocspIssuerKeys(pki.ca.der).find((k) => k.hashAlgorithm === 'sha256')!;
    for (const id of parsed.certIds) expect(ocspIssuerLookupKey(id)).toBe(sha256.lookupKey);
  });

  it('accepts a signed request and ignores its signature', () => {
    const parsed = parseOcspRequest(request(['-cert', leaf.pem, '-signer', leaf.pem, '-signkey', leaf.key]));
    expect(parsed.signed).toBe(true);
    expect(parsed.certIds[0]!.serialKey).toBe('7e57000000000001');
  });
});

describe('parseOcspRequest with other well-formed shapes', () => {
  it('accepts SM3 CertIDs, requestorName, explicit v1, single-request extensions and a signature', () => {
    const parsed = parseOcspRequest(
      asn1Request({
        hashOid: '1.2.156.10197.1.401',
        nameHash: new Uint8Array(32).fill(3),
        keyHash: new Uint8Array(32).fill(4),
        requestorName: true,
        signed: true,
        single: [new Extension({ extnID: '1.3.6.1.5.5.7.48.1.7', critical: false, extnValue: new OctetString(Uint8Array.of(0x30, 0x00)) })],
        extensions: [nonceExtension(Uint8Array.of(0x04, 0x20, ...new Uint8Array(32).fill(9)))],
      }),
    );
    expect(parsed.certIds[0]!.hashAlgorithm).toBe('sm3');
    expect(parsed.signed).toBe(true);
    expect(parsed.nonce!.length).toBe(34);
    expect(parseOcspRequest(asn1Request({ explicitVersion: true })).certIds).toHaveLength(1);
  });

  it('keeps CertIDs with hashes ecert does not match on, so they can be answered unknown', () => {
    const id = parseOcspRequest(asn1Request({ hashOid: '2.16.840.1.101.3.4.2.2', nameHash: new Uint8Array(48), keyHash: new Uint8Array(48) }))
      .certIds[0]!;
    expect(id.hashAlgorithm).toBeUndefined();
    expect(id.hashAlgorithmOid).toBe('2.16.840.1.101.3.4.2.2');
    expect(ocspIssuerLookupKey(id)).toBeUndefined();
  });

  it('gives no serial key to zero or negative serials (no ecert certificate has one)', () => {
    expect(parseOcspRequest(asn1Request({ serial: Uint8Array.of(0x00) })).certIds[0]!.serialKey).toBeUndefined();
    expect(parseOcspRequest(asn1Request({ serial: Uint8Array.of(0xfe, 0x57) })).certIds[0]!.serialKey).toBeUndefined();
    expect(parseOcspRequest(asn1Request({ serial: Uint8Array.of(0x00, 0xfe, 0x57) })).certIds[0]!.serialKey).toBe('fe57');
  });

  it('accepts a raw (pre-RFC 8954) nonce and an acceptable-responses extension marked critical', () => {
    const parsed = parseOcspRequest(
      asn1Request({
        extensions: [
          nonceExtension(new Uint8Array(16).fill(5)),
          new Extension({ extnID: '1.3.6.1.5.5.7.48.1.4', critical: true, extnValue: new OctetString(Uint8Array.of(0x30, 0x0b, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01)) }),
        ],
      }),
    );
    expect(hex(parsed.nonce!)).toBe('05'.repeat(16));
  });
});

describe('parseOcspRequest with malformed input', () => {
  const valid = asn1Request({ extensions: [nonceExtension(Uint8Array.of(0x04, 0x10, ...new Uint8Array(16).fill(1)))] });

  it('rejects garbage, truncation and trailing bytes with a typed error', () => {
    expectMalformed(new Uint8Array(0));
    expectMalformed(Uint8Array.of(0x30));
    expectMalformed(Buffer.from('not an OCSP request'));
    expectMalformed(Uint8Array.of(0x30, 0x80, 0x00, 0x00), /indefinite/);
    expectMalformed(Uint8Array.of(...valid, 0x00), /after OCSPRequest/);
    for (let n = 0; n < valid.length; n++) expectMalformed(valid.subarray(0, n));
  });

  it('never throws anything but OcspRequestError on corrupted bytes', () => {
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from(valid);
      for (let k = 0; k < 1 + (i % 3); k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        bytes[seed % bytes.length] = seed >>> 8;
      }
      try {
        parseOcspRequest(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(OcspRequestError);
      }
    }
  });

  it('rejects structurally valid DER that is not an acceptable request', () => {
    expectMalformed(asn1Request({ count: 0 }), /empty requestList/);
    expectMalformed(asn1Request({ count: 101 }), /more than 100/);
    expect(parseOcspRequest(asn1Request({ count: 3 }), { maxCertIds: 3 }).certIds).toHaveLength(3);
    expectMalformed(asn1Request({ nameHash: new Uint8Array(32) }), /20 octets/);
    expectMalformed(asn1Request({ serial: new Uint8Array(0) }));
    expectMalformed(asn1Request({ extensions: [nonceExtension(Uint8Array.of(0x04, 0x00))] }), /nonce length 0/);
    expectMalformed(asn1Request({ extensions: [nonceExtension(new Uint8Array(0))] }), /nonce length 0/);
    expectMalformed(asn1Request({ extensions: [nonceExtension(Uint8Array.of(0x04, 0x81, 129, ...new Uint8Array(129)))] }), /nonce length 129/);
    expect(parseOcspRequest(asn1Request({ extensions: [nonceExtension(Uint8Array.of(0x04, 0x81, 128, ...new Uint8Array(128)))] })).nonce).toBeDefined();
    expectMalformed(
      asn1Request({ extensions: [nonceExtension(Uint8Array.of(0x04, 0x01, 0x01)), nonceExtension(Uint8Array.of(0x04, 0x01, 0x02))] }),
      /repeated/,
    );
    expectMalformed(
      asn1Request({ extensions: [new Extension({ extnID: '1.2.3.4', critical: true, extnValue: new OctetString(new Uint8Array(1)) })] }),
      /unsupported critical extension 1\.2\.3\.4/,
    );
    expect(
      parseOcspRequest(asn1Request({ extensions: [new Extension({ extnID: '1.2.3.4', critical: false, extnValue: new OctetString(new Uint8Array(1)) })] })).nonce,
    ).toBeUndefined();
    expectMalformed(
      asn1Request({ single: [new Extension({ extnID: '1.2.3.4', critical: true, extnValue: new OctetString(new Uint8Array(1)) })] }),
      /singleRequestExtensions/,
    );
    // Version other than v1.
    const v2 = asn1Request({ explicitVersion: true });
    v2[v2.indexOf(0xa0) + 4] = 0x01;
    expectMalformed(v2, /version/);
  });

  it('rejects hash parameters other than NULL', () => {
    const der = asn1Request({});
    const hexed = hex(der).replace('06052b0e03021a0500', '06052b0e03021a0400');
    expectMalformed(new Uint8Array(Buffer.from(hexed, 'hex')));
  });
});
