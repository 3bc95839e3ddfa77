import { readImageHeader, sniffImageFormat } from './image-header';
import { boundingBox, crop, decodePng, encodePng, expand } from './raster';
import { SealImageError } from './seal-image-errors';

/**
 * Uploaded seal pictures: a PNG with a transparent background, checked and stored normalised
 * (cropped to what is drawn, re-encoded without metadata). Pure: no Nest, no database.
 */
export interface SealImageLimits {
  /** Largest accepted file. NATS carries requests of at most 1 MB, base64 inflates by a third. */
  readonly maxBytes: number;
  /** Largest accepted width or height (pixels), checked on the header before decoding. */
  readonly maxSidePx: number;
  readonly minSidePx: number;
  /** Fewer drawn pixels than this is a blank picture. */
  readonly minInkPixels: number;
  /** At least this share of the pixels must be fully transparent (the background). */
  readonly minTransparentShare: number;
}

export const SEAL_IMAGE_LIMITS: SealImageLimits = {
  maxBytes: 512 * 1024,
  maxSidePx: 2000,
  minSidePx: 16,
  minInkPixels: 100,
  minTransparentShare: 0.05,
};

export interface NormalizedSealImage {
  /** The stored picture: RGBA PNG cropped to its content plus a 2-pixel margin. */
  readonly png: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Pixels at least half opaque. */
  readonly inkPixels: number;
  readonly source: { readonly widthPx: number; readonly heightPx: number; readonly bytes: number };
}

/** Alpha at or above which a pixel is part of the drawing; below, it is background. */
const VISIBLE_ALPHA = 16;
const TRANSPARENT_ALPHA = 8;
const MARGIN_PX = 2;

export function normalizeSealPng(bytes: Uint8Array, limits: SealImageLimits = SEAL_IMAGE_LIMITS): NormalizedSealImage {
  if (!bytes.length) throw new SealImageError('image_empty', 'no image data');
  if (bytes.length > limits.maxBytes) {
    throw new SealImageError('image_too_large', `the file has ${bytes.length} bytes, at most ${limits.maxBytes} are accepted`);
  }
  const format = sniffImageFormat(bytes);
  if (format !== 'png') {
    throw new SealImageError(
      'image_format_unsupported',
      format === 'jpeg'
        ? 'a JPEG has no transparency: upload a PNG, or extract the seal from the scan first (POST /api/v1/seals/images/extract)'
        : 'the data is not a PNG image',
    );
  }
  const header = readImageHeader(bytes);
  checkSides(header.width, header.height, limits);

  const img = decodePng(bytes);
  const n = img.width * img.height;
  const a = img.data;
  let transparent = 0;
  let ink = 0;
  for (let i = 0; i < n; i++) {
    const alpha = a[i * 4 + 3]!;
    if (alpha < TRANSPARENT_ALPHA) transparent++;
    else if (alpha >= 128) ink++;
  }
  if (ink < limits.minInkPixels) {
    throw new SealImageError('image_empty', `the picture is blank: ${ink} visible pixels, at least ${limits.minInkPixels} expected`);
  }
  if (transparent < n * limits.minTransparentShare) {
    throw new SealImageError(
      'image_not_transparent',
      `the background is not transparent (${((100 * transparent) / n).toFixed(1)}% of pixels are); a seal picture must not cover the document (extract it from a scan instead)`,
    );
  }

  const box = expand(boundingBox(img.width, img.height, (i) => a[i * 4 + 3]! >= VISIBLE_ALPHA)!, MARGIN_PX, img.width, img.height);
  const out = crop(img, box);
  // Invisible pixels carry no colour: zero them so nothing hides in the "transparent" area.
  for (let i = 0; i < out.width * out.height; i++) {
    if (out.data[i * 4 + 3]! < TRANSPARENT_ALPHA) out.data.fill(0, i * 4, i * 4 + 4);
  }
  return {
    png: encodePng(out),
    widthPx: out.width,
    heightPx: out.height,
    inkPixels: ink,
    source: { widthPx: img.width, heightPx: img.height, bytes: bytes.length },
  };
}

export function checkSides(width: number, height: number, limits: { maxSidePx: number; minSidePx: number }): void {
  if (width > limits.maxSidePx || height > limits.maxSidePx) {
    throw new SealImageError('image_too_large', `the picture is ${width}x${height} pixels, at most ${limits.maxSidePx}x${limits.maxSidePx} are accepted`);
  }
  if (width < limits.minSidePx || height < limits.minSidePx) {
    throw new SealImageError('image_too_small', `the picture is ${width}x${height} pixels, at least ${limits.minSidePx}x${limits.minSidePx} are needed`);
  }
}

/** Millimetres for a pixel size at a resolution, at least 1 (GB/T 38540 stores whole millimetres). */
export function pixelsToMm(px: number, dpi: number): number {
  return Math.max(1, Math.round((px / dpi) * 25.4));
}
