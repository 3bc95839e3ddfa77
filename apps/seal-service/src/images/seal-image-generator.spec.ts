import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import pngjs from 'pngjs';
import { defaultSealFont, generateSealImage, loadSealFont } from './seal-image-generator';
import { normalizeSealPng } from './seal-image-normalizer';
import { SealImageError } from './seal-image-errors';

const { PNG } = pngjs;

function pixel(img: { width: number; data: Buffer }, x: number, y: number): number[] {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}

/** Largest alpha on a circle of radius r around the centre (sampled every degree). */
function maxAlphaOnCircle(img: { width: number; height: number; data: Buffer }, r: number, fromDeg = 0, toDeg = 360): number {
  let max = 0;
  for (let d = fromDeg; d < toDeg; d++) {
    const t = (d * Math.PI) / 180;
    max = Math.max(max, pixel(img, img.width / 2 + r * Math.sin(t), img.height / 2 - r * Math.cos(t))[3]!);
  }
  return max;
}

describe('generated seal pictures', () => {
  const seal = generateSealImage({ text: '南宁市某某科技有限公司', centerText: '合同专用章', bottomText: '4501030012345' });
  const img = PNG.sync.read(seal.png);

  it('is a PNG of diameter × pxPerMm pixels in red ink on transparency', () => {
    if (process.env['SEAL_SAMPLE_DIR']) writeFileSync(`${process.env['SEAL_SAMPLE_DIR']}/seal-sample.png`, seal.png);
    expect(seal).toMatchObject({ widthPx: 420, heightPx: 420, widthMm: 42, heightMm: 42 });
    expect([img.width, img.height]).toEqual([420, 420]);
    // ring: outer edge 1 px inside, 12 px (1.2 mm) wide → solid red all round at radius 203
    for (let d = 0; d < 360; d += 7) {
      const t = (d * Math.PI) / 180;
      expect(pixel(img, 210 + 203 * Math.sin(t), 210 - 203 * Math.cos(t)), `${d}°`).toEqual([230, 0, 18, 255]);
    }
    // outside the ring (corners) and just inside it (the gap above the text): transparent
    expect(pixel(img, 2, 2)).toEqual([0, 0, 0, 0]);
    expect(pixel(img, 417, 417)).toEqual([0, 0, 0, 0]);
    expect(maxAlphaOnCircle(img, 193)).toBe(0);
    // the star's centre and some glyph ink along the upper arc
    expect(pixel(img, 210, 210)[3]).toBe(255);
    expect(maxAlphaOnCircle(img, 170, -100, 100)).toBe(255);
    // anti-aliased: partly covered pixels exist at the ring's edges
    const alphas = new Set<number>();
    for (let i = 3; i < img.data.length; i += 4) alphas.add(img.data[i]!);
    expect(alphas.size).toBeGreaterThan(50);
  });

  it('passes the upload normaliser unchanged in size', () => {
    const n = normalizeSealPng(seal.png);
    expect(Math.abs(n.widthPx - 420)).toBeLessThanOrEqual(2);
    expect(Math.abs(n.heightPx - 420)).toBeLessThanOrEqual(2);
  });

  it('shrinks the glyphs of long names to fit, and draws ovals without a star', () => {
    const long = generateSealImage({ text: '中华人民共和国广西壮族自治区南宁市青秀区某某某某某某科技服务有限责任公司第一分公司', pxPerMm: 8 });
    const li = PNG.sync.read(long.png);
    expect([li.width, li.height]).toEqual([336, 336]);
    // small glyphs just under the ring gap (inner ring radius 157 px)
    expect(Math.max(...[130, 134, 138, 142].map((r) => maxAlphaOnCircle(li, r, -110, 110)))).toBe(255);
    expect(maxAlphaOnCircle(li, 154)).toBe(0); // gap under the ring stays clear
    expect(() => normalizeSealPng(long.png)).not.toThrow();

    const oval = generateSealImage({ text: '某某县人力资源和社会保障局', shape: 'oval', centerText: '财务专用章' });
    expect(oval).toMatchObject({ widthPx: 450, heightPx: 300, widthMm: 45, heightMm: 30 });
    const oi = PNG.sync.read(oval.png);
    expect(pixel(oi, 225, 1.5 + 6)[3]).toBe(255); // top of the ring
    expect(pixel(oi, 225, 150)[3]).toBeLessThan(255); // no star: centre text is there but the exact centre is between strokes or light
    expect(() => normalizeSealPng(oval.png)).not.toThrow();
  });

  it('refuses an empty name and says where the font is missing', () => {
    expect(() => generateSealImage({ text: '  ' })).toThrow(SealImageError);
    expect(() => generateSealImage({ text: '章', fontPath: '/nonexistent/font.ttf' })).toThrow(/seal font not found at \/nonexistent\/font\.ttf.*ECERT_SEAL_FONT/);
    expect(loadSealFont().unitsPerEm).toBeGreaterThan(0);
  });

  it('takes its default font from npm, not from a system font package', () => {
    expect(defaultSealFont()).toMatch(/node_modules\/@expo-google-fonts\/noto-serif-sc\/700Bold\/NotoSerifSC_700Bold\.ttf$/);
    expect(existsSync(defaultSealFont())).toBe(true);
    // Seal numbers are drawn with the font's own Latin digits, not a full-width fallback.
    expect(loadSealFont(defaultSealFont()).charToGlyph('7').index).not.toBe(0);
  });
});
