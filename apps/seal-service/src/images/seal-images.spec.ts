import { describe, expect, it } from 'vitest';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { crc32 } from 'node:zlib';
import { extractSealFromScan, normalizeSealPng, readImageHeader, SealImageError, type SealImageErrorCode } from './index';
import { blankPng, canvas, drawSeal, opaquePng, scanJpeg, sealPng, toPng } from './test-images.spec-helper';

const { PNG } = pngjs;

function decode(png: Uint8Array) {
  return PNG.sync.read(Buffer.from(png));
}

function alphaAt(img: { width: number; data: Buffer }, x: number, y: number): number {
  return img.data[(y * img.width + x) * 4 + 3]!;
}

function refused(fn: () => unknown): SealImageErrorCode {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SealImageError);
    return (e as SealImageError).code;
  }
  throw new Error('expected a SealImageError');
}

describe('image headers', () => {
  it('reads PNG and JPEG sizes without decoding, and the declared resolution', () => {
    expect(readImageHeader(sealPng(100, 10))).toMatchObject({ format: 'png', width: 120, height: 120 });
    const scan = scanJpeg({ width: 320, height: 200, cx: 160, cy: 100, radius: 80 });
    expect(readImageHeader(scan.jpeg)).toMatchObject({ format: 'jpeg', width: 320, height: 200 });
    // jpeg-js writes a JFIF APP0 with 1:1 aspect (no dpi): nothing declared
    expect(readImageHeader(scan.jpeg).dpi).toBeUndefined();
  });

  it('refuses what is neither PNG nor JPEG, and headers cut short', () => {
    expect(refused(() => readImageHeader(Buffer.from('GIF89a........')))).toBe('image_format_unsupported');
    expect(refused(() => readImageHeader(sealPng().subarray(0, 20)))).toBe('image_corrupt');
    expect(refused(() => readImageHeader(scanJpeg().jpeg.subarray(0, 10)))).toBe('image_corrupt');
  });
});

describe('normalizeSealPng', () => {
  it('crops to the drawing plus a 2-pixel margin and re-encodes an RGBA PNG', () => {
    const input = sealPng(200, 40); // 280x280, seal of diameter ~198 centred
    const out = normalizeSealPng(input);
    expect(out.source).toMatchObject({ widthPx: 280, heightPx: 280 });
    expect(out.widthPx).toBeGreaterThanOrEqual(198);
    expect(out.widthPx).toBeLessThanOrEqual(204);
    expect(out.heightPx).toBe(out.widthPx);
    const img = decode(out.png);
    expect(img.width).toBe(out.widthPx);
    // corners transparent, ring opaque, colour kept
    expect(alphaAt(img, 0, 0)).toBe(0);
    const mid = Math.floor(img.height / 2);
    const ringX = [...Array(10).keys()].map((k) => k + 2).find((x) => alphaAt(img, x, mid) === 255)!;
    expect(ringX).toBeDefined();
    const o = (mid * img.width + ringX) * 4;
    expect([img.data[o], img.data[o + 1], img.data[o + 2]]).toEqual([220, 20, 30]);
    // idempotent: normalising the result changes nothing
    const again = normalizeSealPng(out.png);
    expect(Buffer.from(again.png).equals(Buffer.from(out.png))).toBe(true);
  });

  it('zeroes the colour of invisible pixels (nothing hides in the background)', () => {
    const c = canvas(100, 100, [10, 200, 10, 0]); // transparent, but green underneath
    drawSeal(c, 50, 50, 45, [200, 0, 0, 255]);
    const img = decode(normalizeSealPng(toPng(c)).png);
    expect([...img.data.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('refuses a JPEG, garbage, a corrupt PNG, a huge or tiny picture, a blank one and an opaque one', () => {
    expect(refused(() => normalizeSealPng(scanJpeg().jpeg))).toBe('image_format_unsupported');
    expect(refused(() => normalizeSealPng(Buffer.from('hello, not a picture')))).toBe('image_format_unsupported');
    expect(refused(() => normalizeSealPng(new Uint8Array(0)))).toBe('image_empty');
    const good = sealPng();
    const corrupt = Buffer.from(good);
    corrupt.fill(0x5a, 60, 200); // inside IDAT: CRC and zlib stream broken
    expect(refused(() => normalizeSealPng(corrupt))).toBe('image_corrupt');
    expect(refused(() => normalizeSealPng(good.subarray(0, good.length - 40)))).toBe('image_corrupt');
    expect(refused(() => normalizeSealPng(blankPng(5000, 20)))).toBe('image_too_large');
    expect(refused(() => normalizeSealPng(blankPng(10, 10)))).toBe('image_too_small');
    expect(refused(() => normalizeSealPng(blankPng()))).toBe('image_empty');
    expect(refused(() => normalizeSealPng(opaquePng()))).toBe('image_not_transparent');
    expect(refused(() => normalizeSealPng(good, { maxBytes: 100, maxSidePx: 2000, minSidePx: 16, minInkPixels: 10, minTransparentShare: 0.05 }))).toBe('image_too_large');
  });

  it('refuses a decompression bomb by its header, before inflating it', () => {
    // 20000x20000 declared: 1.6 GB of RGBA if decoded; the file itself is tiny.
    const bomb = Buffer.from(blankPng(16, 16));
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    expect(refused(() => normalizeSealPng(bomb))).toBe('image_too_large');
  });
});

describe('extractSealFromScan', () => {
  it('keeps the red stamp of a noisy JPEG scan, makes the paper transparent and crops to it', () => {
    const scan = scanJpeg({ width: 360, height: 300, cx: 200, cy: 150, radius: 100, noise: 18, seed: 3 });
    const out = extractSealFromScan(scan.jpeg);
    // cropped to the ring (diameter 200) ± margin and JPEG blur, not to the specks or the print
    expect(out.widthPx).toBeGreaterThanOrEqual(198);
    expect(out.widthPx).toBeLessThanOrEqual(212);
    expect(out.heightPx).toBeGreaterThanOrEqual(198);
    expect(out.heightPx).toBeLessThanOrEqual(212);
    expect(out.source).toMatchObject({ format: 'jpeg', widthPx: 360, heightPx: 300 });
    expect(out.dpiSource).toBe('default');
    expect(out.widthMm).toBe(Math.round((out.widthPx / 300) * 25.4));
    const img = decode(out.png);
    // paper (corners, inside the ring between star and text) transparent
    expect(alphaAt(img, 1, 1)).toBe(0);
    expect(alphaAt(img, img.width - 2, img.height - 2)).toBe(0);
    const cx = Math.round(img.width / 2);
    const cy = Math.round(img.height / 2);
    expect(alphaAt(img, cx + 45, cy - 10)).toBe(0);
    // the ring on the horizontal through the centre is opaque and red
    const row = [...Array(img.width).keys()].map((x) => alphaAt(img, x, cy));
    const opaque = row.findIndex((a) => a === 255);
    expect(opaque).toBeGreaterThanOrEqual(0);
    expect(opaque).toBeLessThan(15);
    const o = (cy * img.width + opaque) * 4;
    expect(img.data[o]! - Math.max(img.data[o + 1]!, img.data[o + 2]!)).toBeGreaterThan(100);
    // the star in the middle is kept
    expect(alphaAt(img, cx, cy)).toBe(255);
    // hardly any speck survives on the paper: transparent share close to the paper's share
    let visible = 0;
    for (let i = 0; i < img.width * img.height; i++) if (img.data[i * 4 + 3]! > 0) visible++;
    expect(visible / (img.width * img.height)).toBeLessThan(0.45);
  });

  it('works on PNG scans (alpha composited on white) and uses the file resolution', () => {
    const c = canvas(300, 260, [255, 255, 255, 255]);
    drawSeal(c, 150, 130, 90, [210, 30, 40, 255]);
    const png = new PNG({ width: 300, height: 260 });
    png.data = Buffer.from(c.data);
    const bytes = PNG.sync.write(png);
    // add a pHYs chunk: 600 dpi = 23622 px/m
    const phys = Buffer.alloc(21);
    phys.writeUInt32BE(9, 0);
    phys.write('pHYs', 4, 'latin1');
    phys.writeUInt32BE(23622, 8);
    phys.writeUInt32BE(23622, 12);
    phys[16] = 1;
    phys.writeInt32BE(0, 17); // CRC not checked by the header reader; pngjs checks it, so compute it
    phys.writeUInt32BE(crc32(phys.subarray(4, 17)) >>> 0, 17);
    const withPhys = Buffer.concat([bytes.subarray(0, 33), phys, bytes.subarray(33)]);
    const out = extractSealFromScan(withPhys);
    expect(out.dpi).toBe(600);
    expect(out.dpiSource).toBe('file');
    expect(out.widthPx).toBeGreaterThanOrEqual(180);
    expect(out.widthPx).toBeLessThanOrEqual(186);
    expect(out.widthMm).toBe(Math.round((out.widthPx / 600) * 25.4));
  });

  it('takes the resolution from the request when the file has none', () => {
    const out = extractSealFromScan(scanJpeg().jpeg, { dpi: 200 });
    expect(out.dpi).toBe(200);
    expect(out.dpiSource).toBe('request');
  });

  it('refuses a sheet without a red impression, a black-only stamp, garbage and oversized scans', () => {
    expect(refused(() => extractSealFromScan(scanJpeg({ stamp: false }).jpeg))).toBe('image_empty');
    const c = canvas(200, 200, [255, 255, 255, 255]);
    drawSeal(c, 100, 100, 90, [20, 20, 20, 255]);
    const black = jpeg.encode({ data: c.data, width: 200, height: 200 }, 90).data;
    expect(refused(() => extractSealFromScan(black))).toBe('image_empty');
    expect(refused(() => extractSealFromScan(Buffer.from('%PDF-1.7 not an image')))).toBe('image_format_unsupported');
    const big = scanJpeg().jpeg;
    big.writeUInt16BE(9000, big.indexOf(Buffer.from([0xff, 0xc0])) + 7); // declared width 9000
    expect(refused(() => extractSealFromScan(big))).toBe('image_too_large');
    const cut = scanJpeg().jpeg.subarray(0, 400);
    expect(['image_corrupt', 'image_empty']).toContain(refused(() => extractSealFromScan(cut)));
  });

  it('gives a picture the normaliser accepts unchanged in size', () => {
    const out = extractSealFromScan(scanJpeg({ seed: 11 }).jpeg);
    const stored = normalizeSealPng(out.png);
    expect(Math.abs(stored.widthPx - out.widthPx)).toBeLessThanOrEqual(2);
    expect(Math.abs(stored.heightPx - out.heightPx)).toBeLessThanOrEqual(2);
  });
});
