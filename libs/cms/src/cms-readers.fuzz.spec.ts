import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPdfSignatures } from '@ecert/pdf';
import { derSequence, derTlv } from '@ecert/pki';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../test/support/fuzz';
import { readBer } from './ber-node-reader';
import { CmsError } from './cms-error';
import { parseSignedData } from './signed-data-parser';
import { verifySignedData } from './signed-data-verifier';
import { readTimestampResponse } from './timestamp-protocol';

// A real adbe.pkcs7.detached SignedData (with its certificates) out of a signed PDF fixture.
const pdf = new Uint8Array(readFileSync(new URL('../../../test/fixtures/pdfs/signed-pkcs7.pdf', import.meta.url)));
const signedData = readPdfSignatures(pdf)[0]!.contents;
// TimeStampResp { status PKIStatusInfo { granted }, timeStampToken }: the token is any SignedData for the reader's framing.
const tsResp = derSequence(derSequence(derTlv(0x02, Uint8Array.of(0))), signedData);
const digest = new Uint8Array(32).fill(3);

describe('CMS readers under fuzzing (CmsError only, no hang)', () => {
  it('the seed parses', () => {
    expect(() => parseSignedData(signedData)).not.toThrow();
  });

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(bytesAfter([Uint8Array.of(0x30, 0x80), Uint8Array.of(0x30, 0x82, 0x10, 0x00, 0x06, 0x09)]), (b) => {
        expectOnlyTyped(() => readBer(b), [CmsError]);
        expectOnlyTyped(() => parseSignedData(b), [CmsError]);
        expectOnlyTyped(() => readTimestampResponse(b), [CmsError]);
      }),
      fuzzParams(2000),
    );
  });

  it('mutations of a real SignedData (parse, then verify)', () => {
    fc.assert(fc.property(mutationsOf([signedData]), (b) => expectOnlyTyped(() => parseSignedData(b), [CmsError])), fuzzParams(2000));
    fc.assert(fc.property(mutationsOf([signedData], 2), (b) => expectOnlyTyped(() => verifySignedData(b, digest), [CmsError])), fuzzParams(500));
  });

  it('mutations of a timestamp response', () => {
    fc.assert(fc.property(mutationsOf([tsResp]), (b) => expectOnlyTyped(() => readTimestampResponse(b), [CmsError])), fuzzParams(1500));
  });
});

describe('CMS regression fixtures found by fuzzing', () => {
  it('a constructed character string (tag 0x32) is cms_malformed, not a TypeError in the BER tree walk', () => {
    // Found by "mutations of a real SignedData": the ContentInfo tag 0x30 flipped to 0x32.
    const bytes = Uint8Array.of(0x32, 0x03, 0x0c, 0x01, 0x41);
    expect(() => readBer(bytes)).toThrow(CmsError);
    const mutated = signedData.slice();
    mutated[0] = 0x32;
    expect(() => parseSignedData(mutated)).toThrow(CmsError);
    expect(verifySignedData(mutated, digest).signatureValid).toBe(false);
  });

  it('an empty GeneralizedTime (18 00), on which asn1js throws a raw Error, is cms_malformed', () => {
    // Found by "mutations of a real SignedData": the outer header rewritten to 18 00.
    expect(() => readBer(Uint8Array.of(0x18, 0x00))).toThrow(CmsError);
    expect(() => parseSignedData(Uint8Array.of(0x30, 0x04, 0x18, 0x00, 0x05, 0x00))).toThrow(CmsError);
    expect(() => readTimestampResponse(Uint8Array.of(0x30, 0x02, 0x18, 0x00))).toThrow(CmsError);
  });
});
