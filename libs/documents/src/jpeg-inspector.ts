import jpeg from 'jpeg-js';
import { checkImageSize, MAX_IMAGE_PIXELS } from './image-limits';
import { MaterialRejectedError } from './material-rejected-error';

/** Start-of-frame markers of the DCT codings jpeg-js decodes: baseline, extended, progressive. */
const DECODABLE_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** The other SOFn (lossless, hierarchical, arithmetic): real JPEGs, but none a scanner or phone writes. */
const OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
/** Enough for the largest accepted image (50 MP) with jpeg-js's component buffers, and no more. */
const MAX_DECODE_MEMORY_MB = 512;

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * A whole JPEG: SOI, a frame header with a sane size (read before decoding), and a full strict
 * decode with jpeg-js under resolution and memory limits — a truncated scan fails here. Bytes
 * after the image are allowed: cameras and phones append their own trailers.
 */
export function inspectJpeg(bytes: Uint8Array): { mediaType: 'image/jpeg' } {
  if (!isJpeg(bytes)) throw new MaterialRejectedError('material_type_unsupported', 'not a JPEG: the start-of-image marker is missing');
  const frame = readFrame(bytes);
  checkImageSize('JPEG', frame.width, frame.height);
  try {
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: MAX_DECODE_MEMORY_MB,
    });
    if (img.width !== frame.width || img.height !== frame.height) throw new Error('decoded size differs from the frame header');
  } catch (err) {
    throw new MaterialRejectedError('material_malformed', `the JPEG does not decode: ${(err as Error).message}`);
  }
  return { mediaType: 'image/jpeg' };
}

/** Walks the marker segments up to the frame header (SOFn) and reads the image size from it. */
function readFrame(bytes: Uint8Array): { width: number; height: number } {
  let i = 2;
  const truncated = () => new MaterialRejectedError('material_malformed', 'the JPEG was cut off before its frame header');
  for (;;) {
    if (i >= bytes.length) throw truncated();
    if (bytes[i] !== 0xff) throw new MaterialRejectedError('material_malformed', `the JPEG has no marker where one belongs (byte ${i})`);
    while (bytes[i] === 0xff) i++; // fill bytes
    if (i >= bytes.length) throw truncated();
    const marker = bytes[i++];
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) throw new MaterialRejectedError('material_malformed', 'the JPEG has no frame header before its image data');
    if (i + 2 > bytes.length) throw truncated();
    const length = (bytes[i] << 8) | bytes[i + 1];
    if (length < 2 || i + length > bytes.length) throw truncated();
    if (DECODABLE_FRAMES.has(marker)) {
      if (length < 8) throw truncated();
      return { height: (bytes[i + 3] << 8) | bytes[i + 4], width: (bytes[i + 5] << 8) | bytes[i + 6] };
    }
    if (OTHER_FRAMES.has(marker)) {
      throw new MaterialRejectedError('material_type_unsupported', 'the JPEG uses a lossless, hierarchical or arithmetic coding; save it as an ordinary (baseline or progressive) JPEG');
    }
    i += length;
  }
}
