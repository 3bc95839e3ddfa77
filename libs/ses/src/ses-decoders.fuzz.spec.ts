import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAfter, expectOnlyTyped, expectOnlyTypedAsync, fuzzParams, mutationsOf } from '../../../test/support/fuzz';
import { detectSealVersion } from './seal-version-detector';
import { decodeSeal } from './seal-codec';
import { SesError } from './ses-errors';
import { decodeSesSignature } from './ses-signature-codec';
import { verifySeal } from './seal-verifier';
import { verifySesSignature } from './ses-signature-verifier';

const dir = new URL('../../../test/fixtures/seals/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(esl|der|dat)$/.test(f));
const read = (f: string) => new Uint8Array(readFileSync(new URL(f, dir)));
// Real seals from several makers, v1 and v4 (see test/fixtures/seals/README.md).
const seals = files.filter((f) => !f.includes('SES_Signature')).map(read);
const signatures = files.filter((f) => f.includes('SES_Signature')).map(read);

describe('SES_Seal / SES_Signature decoders under fuzzing (SesError only, no hang)', () => {
  it('the seeds decode', () => {
    expect(seals.length).toBeGreaterThan(3);
    for (const s of seals) decodeSeal(s);
    for (const s of signatures) decodeSesSignature(s);
  });

  it('arbitrary bytes', () => {
    const prefixes = [Uint8Array.of(0x30, 0x82, 0x10, 0x00, 0x30, 0x82), Uint8Array.of(0x30, 0x81, 0xff, 0x02, 0x01, 0x04)];
    fc.assert(
      fc.property(bytesAfter(prefixes), (b) => {
        expectOnlyTyped(() => decodeSeal(b), [SesError]);
        expectOnlyTyped(() => decodeSesSignature(b), [SesError]);
        expectOnlyTyped(() => detectSealVersion(b), []);
      }),
      fuzzParams(2000),
    );
  });

  it('mutations of real seals', () => {
    fc.assert(
      fc.property(mutationsOf(seals), (b) => {
        expectOnlyTyped(() => decodeSeal(b), [SesError]);
        expectOnlyTyped(() => detectSealVersion(b), []);
      }),
      fuzzParams(2000),
    );
  });

  it('mutations of a real SES_Signature', () => {
    fc.assert(fc.property(mutationsOf(signatures), (b) => expectOnlyTyped(() => decodeSesSignature(b), [SesError])), fuzzParams(2000));
  });

  it('verification never throws: a mutated seal or signature is a failed report', async () => {
    await fc.assert(
      fc.asyncProperty(mutationsOf([...seals, ...signatures], 2), async (b) => {
        await expectOnlyTypedAsync(() => verifySeal(b), []);
        await expectOnlyTypedAsync(() => verifySesSignature(b, { document: new Uint8Array(8) }), []);
      }),
      fuzzParams(300),
    );
  });
});
