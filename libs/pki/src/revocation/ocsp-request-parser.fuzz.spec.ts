import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../../test/support/fuzz';
import { DER_NULL, DER_TRUE, derExplicit, derOctetString, derOid, derSequence, derTlv, derUnsignedInteger } from '../der/der-writer';
import { OcspRequestError, parseOcspRequest } from './ocsp-request-parser';

const certId = (hashOid: string, len: number, serial: bigint, nullParams = true) =>
  derSequence(
    derSequence(derOid(hashOid), ...(nullParams ? [DER_NULL] : [])),
    derOctetString(new Uint8Array(len).fill(1)),
    derOctetString(new Uint8Array(len).fill(2)),
    derUnsignedInteger(serial),
  );
const ext = (oid: string, value: Uint8Array, critical = false) => derSequence(derOid(oid), ...(critical ? [DER_TRUE] : []), derOctetString(value));
const NONCE = '1.3.6.1.5.5.7.48.1.2';

/** Valid requests in the shapes clients send: v1 explicit, several CertIDs, nonce, requestor name, signature. */
const seeds = [
  derSequence(derSequence(derSequence(derSequence(certId('1.3.14.3.2.26', 20, 0x1234n))))),
  derSequence(
    derSequence(
      derExplicit(0, derTlv(0x02, Uint8Array.of(0))),
      derExplicit(1, derTlv(0xa4, derSequence())),
      derSequence(derSequence(certId('2.16.840.1.101.3.4.2.1', 32, 2n ** 150n, false)), derSequence(certId('1.2.156.10197.1.401', 32, 7n), derExplicit(0, derSequence(ext('1.2.3.4', Uint8Array.of(5)))))),
      derExplicit(2, derSequence(ext(NONCE, Uint8Array.of(0x04, 0x10, ...new Uint8Array(16).fill(9))), ext('1.3.6.1.5.5.7.48.1.4', derSequence(derOid('1.3.6.1.5.5.7.48.1.1')), true))),
    ),
    derExplicit(0, derSequence(derSequence(derOid('1.2.840.10045.4.3.2')), derTlv(0x03, Uint8Array.of(0, 1, 2)))),
  ),
];

const parse = (b: Uint8Array) => () => parseOcspRequest(b, { maxCertIds: 100 });

describe('parseOcspRequest under fuzzing (OcspRequestError only, no hang)', () => {
  it('the seeds are valid requests', () => {
    for (const s of seeds) expect(parseOcspRequest(s).certIds.length).toBeGreaterThan(0);
  });

  it('arbitrary bytes', () => {
    fc.assert(fc.property(bytesAfter([Uint8Array.of(0x30, 0x82, 0x01), Uint8Array.of(0x30, 0x30, 0x30)]), (b) => expectOnlyTyped(parse(b), [OcspRequestError])), fuzzParams(3000));
  });

  it('mutations of valid requests', () => {
    fc.assert(fc.property(mutationsOf(seeds), (b) => expectOnlyTyped(parse(b), [OcspRequestError])), fuzzParams(3000));
  });

  it('a huge requestList is refused quickly, not walked', () => {
    const many = derSequence(derSequence(derSequence(...Array.from({ length: 2000 }, () => derSequence(certId('1.3.14.3.2.26', 20, 1n))))));
    expectOnlyTyped(parse(many), [OcspRequestError], 200);
    expect(parse(many)).toThrow(OcspRequestError);
  });
});
