import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../../test/support/fuzz';
import { derExplicit, derOid, derTlv } from '../der/der-writer';
import { CsrError, acceptCsr, parseCsr } from './csr';
import { derBitString, derSequence } from './der-encoding';
import { encodeName } from './distinguished-name';
import { encodePem } from './pem';

/** A real, self-signed PKCS#10 request (P-256, SHA-256) with a UTF8 Chinese subject and an extensionRequest. */
function makeCsr(): Uint8Array {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const extReq = derSequence(derOid('1.2.840.113549.1.9.14'), derTlv(0x31, derSequence(derSequence(derOid('2.5.29.15'), derTlv(0x04, Uint8Array.of(3, 2, 7, 0x80))))));
  const info = derSequence(derTlv(0x02, Uint8Array.of(0)), encodeName({ C: 'CN', O: '广州市某某科技有限公司', CN: '张三' }), spki, derExplicit(0, extReq));
  const sig = new Uint8Array(sign('sha256', info, privateKey));
  return derSequence(info, derSequence(derOid('1.2.840.10045.4.3.2')), derBitString(sig));
}

describe('parseCsr / acceptCsr under fuzzing (CsrError only, no hang)', () => {
  const valid = makeCsr();
  const pem = Buffer.from(encodePem('CERTIFICATE REQUEST', valid));

  it('the seed is an acceptable request', () => {
    expect(acceptCsr(valid).subject).toContain('张三');
  });

  it('arbitrary bytes and strings', () => {
    fc.assert(
      fc.property(fc.oneof(bytesAfter([Uint8Array.of(0x30, 0x82, 0x01), Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n')]), fc.string({ maxLength: 300 })), (input) =>
        expectOnlyTyped(() => acceptCsr(input), [CsrError]),
      ),
      fuzzParams(2000),
    );
  });

  it('mutations of a valid DER request (parse only, then the whole intake)', () => {
    fc.assert(fc.property(mutationsOf([valid]), (b) => expectOnlyTyped(() => parseCsr(b), [CsrError])), fuzzParams(3000));
    // acceptCsr verifies a signature per case that parses: fewer runs.
    fc.assert(fc.property(mutationsOf([valid], 2), (b) => expectOnlyTyped(() => acceptCsr(b), [CsrError])), fuzzParams(1000));
  });

  it('mutations of the PEM form', () => {
    fc.assert(fc.property(mutationsOf([pem]), (b) => expectOnlyTyped(() => acceptCsr(Buffer.from(b).toString('latin1')), [CsrError])), fuzzParams(1000));
  });
});
