import { SealImageError } from './seal-image-errors';

/**
 * What an image's header says, read before any pixel is decoded, so a small file that inflates to
 * gigabytes (a decompression bomb) is refused on its declared size. Pure; no Nest, no I/O.
 */
export type ImageFormat = 'png' | 'jpeg';

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Physical resolution when the file declares one (PNG pHYs in metres, JFIF density), else undefined. */
  readonly dpi?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Reads the header of a PNG or JPEG; throws SealImageError when it is neither or is cut short. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffImageFormat(bytes);
  if (format === 'png') return readPngHeader(bytes);
  if (format === 'jpeg') return readJpegHeader(bytes);
  throw new SealImageError('image_format_unsupported', 'the data is neither a PNG nor a JPEG image');
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) + b[at + 1]!;
}

function readPngHeader(b: Uint8Array): ImageHeader {
  // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4) ...
  if (b.length < 33) throw new SealImageError('image_corrupt', 'the PNG ends inside its header');
  if (String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') throw new SealImageError('image_corrupt', 'the PNG does not start with an IHDR chunk');
  const width = u32(b, 16);
  const height = u32(b, 20);
  if (width === 0 || height === 0) throw new SealImageError('image_corrupt', `the PNG declares ${width}x${height} pixels`);
  // pHYs, if present, comes before the image data; walk the chunks up to IDAT.
  let dpi: number | undefined;
  let at = 8;
  while (at + 8 <= b.length) {
    const len = u32(b, at);
    const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'pHYs' && len === 9 && at + 17 <= b.length && b[at + 16] === 1) {
      const ppm = u32(b, at + 8);
      if (ppm > 0) dpi = Math.round(ppm * 0.0254);
    }
    at += 12 + len;
  }
  return { format: 'png', width, height, ...(dpi ? { dpi } : {}) };
}

function readJpegHeader(b: Uint8Array): ImageHeader {
  let at = 2;
  let dpi: number | undefined;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw new SealImageError('image_corrupt', `the JPEG has no marker at byte ${at}`);
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const len = u16(b, at + 2);
    if (len < 2) throw new SealImageError('image_corrupt', 'the JPEG has a segment of impossible length');
    // APP0 JFIF: "JFIF\0" version(2) units(1) Xdensity(2) Ydensity(2)
    if (marker === 0xe0 && at + 16 <= b.length && String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!) === 'JFIF') {
      const units = b[at + 11];
      const x = u16(b, at + 12);
      if (x > 1 && units === 1) dpi = x;
      if (x > 1 && units === 2) dpi = Math.round(x * 2.54);
    }
    // Start-of-frame markers carry the size: C0-C3, C5-C7, C9-CB, CD-CF.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) break;
      const height = u16(b, at + 5);
      const width = u16(b, at + 7);
      if (width === 0 || height === 0) throw new SealImageError('image_corrupt', `the JPEG declares ${width}x${height} pixels`);
      return { format: 'jpeg', width, height, ...(dpi ? { dpi } : {}) };
    }
    if (marker === 0xd9 || marker === 0xda) break;
    at += 2 + len;
  }
  throw new SealImageError('image_corrupt', 'the JPEG ends before its frame header');
}
