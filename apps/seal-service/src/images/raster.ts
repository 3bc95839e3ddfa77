import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { SealImageError } from './seal-image-errors';

const { PNG } = pngjs;

/** 8-bit RGBA pixels, row by row, no padding. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Box {
  readonly x0: number;
  readonly y0: number;
  /** Exclusive. */
  readonly x1: number;
  /** Exclusive. */
  readonly y1: number;
}

/** Any PNG (palette, grey, 16-bit, interlaced, tRNS) as 8-bit RGBA. */
export function decodePng(bytes: Uint8Array): Rgba {
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { checkCRC: true });
    if (png.data.length !== png.width * png.height * 4) throw new Error('unexpected pixel buffer size');
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (err) {
    throw new SealImageError('image_corrupt', `the PNG does not decode: ${(err as Error).message}`);
  }
}

/** A baseline or progressive JPEG as RGBA; refuses images past `maxMegapixels` before allocating. */
export function decodeJpeg(bytes: Uint8Array, maxMegapixels: number): Rgba {
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxMegapixels, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (err) {
    throw new SealImageError('image_corrupt', `the JPEG does not decode: ${(err as Error).message}`);
  }
}

/** Truecolour-with-alpha PNG, maximum compression, no ancillary chunks (no metadata survives). */
export function encodePng(img: Rgba): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height, colorType: 6, inputColorType: 6, bitDepth: 8, inputHasAlpha: true });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = PNG.sync.write(png, { colorType: 6, inputColorType: 6, bitDepth: 8, inputHasAlpha: true, deflateLevel: 9 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function crop(img: Rgba, box: Box): Rgba {
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((box.y0 + y) * img.width + box.x0) * 4;
    data.set(img.data.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, data };
}

/** The smallest box holding every pixel for which `keep(i)` is true (i = pixel index), or undefined. */
export function boundingBox(width: number, height: number, keep: (i: number) => boolean): Box | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!keep(row + x)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** `box` grown by `margin` pixels on each side, kept inside the image. */
export function expand(box: Box, margin: number, width: number, height: number): Box {
  return {
    x0: Math.max(0, box.x0 - margin),
    y0: Math.max(0, box.y0 - margin),
    x1: Math.min(width, box.x1 + margin),
    y1: Math.min(height, box.y1 + margin),
  };
}
