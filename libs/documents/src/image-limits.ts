import { MaterialRejectedError } from './material-rejected-error';

/** Longest side of a material image: an A3 page scanned at 1200 dpi is ~20000 px. */
export const MAX_IMAGE_SIDE = 20_000;
/** Most pixels a material image may have, checked before decoding (a small file can claim a huge image). */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** Refuses dimensions a scan never has, from the header alone, before any pixel is allocated. */
export function checkImageSize(kind: 'PNG' | 'JPEG', width: number, height: number): void {
  if (width < 1 || height < 1) throw new MaterialRejectedError('material_malformed', `the ${kind} claims a size of ${width} × ${height} pixels`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new MaterialRejectedError('material_too_large', `the ${kind} is ${width} × ${height} pixels; a side may have at most ${MAX_IMAGE_SIDE}`);
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new MaterialRejectedError('material_too_large', `the ${kind} has ${((width * height) / 1e6).toFixed(1)} megapixels; at most ${MAX_IMAGE_PIXELS / 1e6} are accepted`);
  }
}
