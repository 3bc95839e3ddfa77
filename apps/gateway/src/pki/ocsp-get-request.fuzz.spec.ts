import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OcspRequestError, derOctetString, derOid, derSequence, derTlv, parseOcspRequest } from '@ecert/pki';
import { expectOnlyTyped, fuzzParams, mutationsOf } from '../../../../test/support/fuzz';
import { decodeOcspGetPath } from './ocsp-get-request';

/** A minimal request (one SHA-1 CertID, no nonce), as `openssl ocsp -no_nonce` sends it, for any serial content. */
function withSerial(serial: Uint8Array): Buffer {
  const certId = derSequence(
    derSequence(derOid('1.3.14.3.2.26'), Uint8Array.of(0x05, 0x00)),
    derOctetString(new Uint8Array(20).fill(1)),
    derOctetString(new Uint8Array(20).fill(2)),
    derTlv(0x02, serial),
  );
  return Buffer.from(derSequence(derSequence(derSequence(derSequence(certId)))));
}
const VALID = withSerial(Uint8Array.of(0x12, 0x34));

describe('OCSP GET path decoding under fuzzing (never throws; parse throws only OcspRequestError)', () => {
  it('the GET form of a valid request decodes to the same DER, however the base64 is escaped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }).map((s) => Uint8Array.of(0x01, ...s)), fc.boolean(), fc.string({ maxLength: 20 }), (serial, escapeAll, query) => {
        const der = withSerial(serial);
        const b64 = der.toString('base64');
        const escaped = escapeAll ? encodeURIComponent(b64) : b64.replace(/\+/g, '%2B').replace(/\//g, '%2F');
        const decoded = decodeOcspGetPath(`${escaped}?${query}`);
        expect(decoded && Buffer.compare(decoded, der)).toBe(0);
        expect(parseOcspRequest(decoded!).certIds).toHaveLength(1);
      }),
      fuzzParams(300),
    );
  });

  it('any path string: decoding never throws, and what it yields is parsed or refused as malformed', () => {
    const pathChars = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: fc.constantFrom('%', '2', 'B', 'F', 'z', '/', '+', '=', '?', 'A', 'é', '\u0000'), maxLength: 200 }));
    fc.assert(
      fc.property(pathChars, (path) => {
        let body: Buffer | undefined;
        expectOnlyTyped(() => (body = decodeOcspGetPath(path)), []);
        if (body?.length) expectOnlyTyped(() => parseOcspRequest(body!), [OcspRequestError]);
      }),
      fuzzParams(3000),
    );
  });

  it('mutated base64 of a valid request', () => {
    fc.assert(
      fc.property(mutationsOf([Buffer.from(encodeURIComponent(VALID.toString('base64')))]), (path) => {
        let body: Buffer | undefined;
        expectOnlyTyped(() => (body = decodeOcspGetPath(Buffer.from(path).toString('latin1'))), []);
        if (body?.length) expectOnlyTyped(() => parseOcspRequest(body!), [OcspRequestError]);
      }),
      fuzzParams(2000),
    );
  });
});
