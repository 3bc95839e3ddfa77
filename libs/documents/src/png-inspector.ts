import { inflateSync } from 'node:zlib';
import pngjs from 'pngjs';
import { checkImageSize } from './image-limits';
import { MaterialRejectedError } from './material-rejected-error';

const { PNG } = pngjs;

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Bit depths each colour type allows (PNG spec §11.2.2), and its samples per pixel. */
const COLOUR_TYPES: Record<number, { depths: number[]; channels: number }> = {
  0: { depths: [1, 2, 4, 8, 16], channels: 1 },
  2: { depths: [8, 16], channels: 3 },
  3: { depths: [1, 2, 4, 8], channels: 1 },
  4: { depths: [8, 16], channels: 2 },
  6: { depths: [8, 16], channels: 4 },
};

/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.byteLength >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * A whole PNG: the signature, IHDR first with a sane size (checked before anything is inflated,
 * so a few KB cannot claim gigapixels), every chunk complete up to IEND and nothing after it, and
 * a full decode with CRCs checked — a truncated or corrupted file fails here, not in a reviewer's viewer.
 */
export function inspectPng(bytes: Uint8Array): { mediaType: 'image/png' } {
  if (!isPng(bytes)) throw new MaterialRejectedError('material_type_unsupported', 'not a PNG: the signature is missing');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Buffer[] = [];
  let ihdr: { width: number; height: number; depth: number; colourType: number; interlaced: boolean } | undefined;
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 12 > buf.length) throw new MaterialRejectedError('material_malformed', 'the PNG was cut off before its end (IEND)');
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > buf.length) throw new MaterialRejectedError('material_malformed', `the PNG was cut off inside its ${JSON.stringify(type)} chunk`);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (!ihdr) {
      if (type !== 'IHDR' || length !== 13) throw new MaterialRejectedError('material_malformed', 'the PNG does not begin with its IHDR header');
      ihdr = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8], colourType: data[9], interlaced: data[12] === 1 };
      checkImageSize('PNG', ihdr.width, ihdr.height);
      if (!COLOUR_TYPES[ihdr.colourType]?.depths.includes(ihdr.depth) || data[10] !== 0 || data[11] !== 0 || data[12] > 1) {
        throw new MaterialRejectedError('material_malformed', `the PNG header is invalid (colour type ${ihdr.colourType}, bit depth ${ihdr.depth})`);
      }
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      // Bytes after IEND are no part of the image: a second file appended (a polyglot) or junk.
      if (end !== buf.length) throw new MaterialRejectedError('material_malformed', `the PNG has ${buf.length - end} bytes after its end`);
      break;
    }
    offset = end;
  }
  if (ihdr.interlaced) refuseInterlacedBomb(idat, ihdr.width, ihdr.height, ihdr.depth * COLOUR_TYPES[ihdr.colourType].channels);
  try {
    const png = PNG.sync.read(buf, { checkCRC: true });
    if (png.width !== ihdr.width || png.height !== ihdr.height) throw new Error('decoded size differs from the header');
  } catch (err) {
    throw new MaterialRejectedError('material_malformed', `the PNG does not decode: ${(err as Error).message}`);
  }
  return { mediaType: 'image/png' };
}

/**
 * pngjs bounds inflation by the image size for plain PNGs, but inflates interlaced ones without
 * a limit; so their data is inflated here first, capped at the exact size of the seven passes.
 */
function refuseInterlacedBomb(idat: Buffer[], width: number, height: number, bitsPerPixel: number): void {
  let expected = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (1 + Math.ceil((w * bitsPerPixel) / 8));
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (err) {
    if (err instanceof RangeError) throw new MaterialRejectedError('material_too_large', 'the PNG decompresses to more data than its size allows (a decompression bomb?)');
    // Broken data: left to the decoder, which says why.
  }
}
