import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAfter, expectOnlyTyped, fuzzParams, mutationsOf } from '../../../../test/support/fuzz';
import { readImageHeader } from './image-header';
import { SealImageError } from './seal-image-errors';
import { normalizeSealPng } from './seal-image-normalizer';
import { extractSealFromScan } from './seal-scan-extractor';
import { scanJpeg, sealPng } from './test-images.spec-helper';

const PNG_SIG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const JPEG_SOI = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0);

// Decoding images is the slow part (a few ms each): sized so the file stays well under 20 s.
describe('seal image readers under fuzzing (SealImageError only, no hang)', () => {
  const png = sealPng(60, 6);
  const jpeg = scanJpeg({ width: 160, height: 120, cx: 80, cy: 60, radius: 40 }).jpeg;

  it('the seeds are accepted', () => {
    expect(normalizeSealPng(png).widthPx).toBeGreaterThan(0);
    expect(extractSealFromScan(jpeg).png.length).toBeGreaterThan(0);
  });

  it('arbitrary bytes behind PNG and JPEG signatures', () => {
    fc.assert(
      fc.property(bytesAfter([PNG_SIG, JPEG_SOI]), (b) => {
        expectOnlyTyped(() => readImageHeader(b), [SealImageError]);
        expectOnlyTyped(() => normalizeSealPng(b), [SealImageError]);
        expectOnlyTyped(() => extractSealFromScan(b), [SealImageError]);
      }),
      fuzzParams(1500),
    );
  });

  it('mutations of a valid PNG (header, normalisation)', () => {
    fc.assert(
      fc.property(mutationsOf([png]), (b) => {
        expectOnlyTyped(() => readImageHeader(b), [SealImageError]);
        expectOnlyTyped(() => normalizeSealPng(b), [SealImageError]);
      }),
      fuzzParams(800),
    );
  });

  it('mutations of a valid JPEG scan (header, extraction)', () => {
    fc.assert(
      fc.property(mutationsOf([jpeg]), (b) => {
        expectOnlyTyped(() => readImageHeader(b), [SealImageError]);
        expectOnlyTyped(() => extractSealFromScan(b), [SealImageError]);
      }),
      fuzzParams(800),
    );
  });
});
