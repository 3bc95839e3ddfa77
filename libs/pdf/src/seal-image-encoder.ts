import { deflateSync } from 'node:zlib';
import pngjs from 'pngjs';
import { PdfStream, type PdfDict, type PdfObject, type PdfRef } from './pdf-object';

const { PNG } = pngjs;

export interface SealImageStreams {
  width: number;
  height: number;
  /** The colour image (Flate, DeviceRGB), its /SMask to be set to the mask's reference. */
  image: (smask: PdfRef) => PdfStream;
  /** The alpha channel as a soft mask (Flate, DeviceGray). */
  smask: PdfStream;
}

/**
 * A PNG (any colour type pngjs reads: palette, grey, RGB, with or without alpha, 8 or 16 bits) as
 * the two image XObjects that draw it with its transparency kept: colour and soft mask.
 */
export function encodeSealImage(png: Uint8Array): SealImageStreams {
  let decoded: { width: number; height: number; data: Buffer };
  try {
    decoded = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (err) {
    throw new TypeError(`the seal image is not a readable PNG (${(err as Error).message})`);
  }
  const { width, height, data } = decoded;
  const pixels = width * height;
  const rgb = Buffer.allocUnsafe(pixels * 3);
  const alpha = Buffer.allocUnsafe(pixels);
  for (let i = 0; i < pixels; i++) {
    rgb[i * 3] = data[i * 4];
    rgb[i * 3 + 1] = data[i * 4 + 1];
    rgb[i * 3 + 2] = data[i * 4 + 2];
    alpha[i] = data[i * 4 + 3];
  }
  const base = (colorSpace: string): PdfDict =>
    new Map<string, PdfObject>([
      ['Type', 'XObject'],
      ['Subtype', 'Image'],
      ['Width', width],
      ['Height', height],
      ['ColorSpace', colorSpace],
      ['BitsPerComponent', 8],
      ['Filter', 'FlateDecode'],
    ]);
  const rgbData = deflateSync(rgb);
  return {
    width,
    height,
    image: (smask) => {
      const d = base('DeviceRGB');
      d.set('SMask', smask);
      return new PdfStream(d, rgbData);
    },
    smask: new PdfStream(base('DeviceGray'), deflateSync(alpha)),
  };
}
