import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../../test/support/fuzz';
import { DerReadError, DerReader, decodeOid } from './der-reader';
import { derExplicit, derOctetString, derOid, derSequence, derTlv, derUnsignedInteger } from './der-writer';

/** Walks every constructed element down to the leaves, decoding OIDs on the way: the reader's whole surface. */
function walk(bytes: Uint8Array, reader = new DerReader(bytes), depth = 0): number {
  let n = 0;
  while (!reader.done) {
    const el = reader.read();
    n++;
    expect(el.end).toBeLessThanOrEqual(bytes.length);
    expect(el.contentStart).toBeLessThanOrEqual(el.end);
    if (el.tag === 0x06) decodeOid(bytes.subarray(el.contentStart, el.end));
    if (el.tag & 0x20 && depth < 64) n += walk(bytes, DerReader.inside(bytes, el), depth + 1);
  }
  reader.expectEnd();
  return n;
}

const seeds = [
  derSequence(derOid('1.2.156.10197.1.301'), derOctetString(new Uint8Array(40).fill(7)), derExplicit(0, derUnsignedInteger(2n ** 70n))),
  derSequence(derTlv(0x31, derOid('2.25.329800735698586629295641978511506172918')), derOctetString(new Uint8Array(300))),
];

describe('DerReader under fuzzing (typed DerReadError only, no hang)', () => {
  it('arbitrary bytes', () => {
    fc.assert(fc.property(bytesAfter([Uint8Array.of(0x30, 0x82), Uint8Array.of(0x30, 0x84, 0xff)]), (b) => expectOnlyTyped(() => walk(b), [DerReadError])), fuzzParams(3000));
  });

  it('mutations of valid DER', () => {
    fc.assert(fc.property(mutationsOf(seeds), (b) => expectOnlyTyped(() => walk(b), [DerReadError])), fuzzParams(3000));
  });

  it('OID content of any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => expectOnlyTyped(() => decodeOid(b), [DerReadError])), fuzzParams(2000));
  });
});
