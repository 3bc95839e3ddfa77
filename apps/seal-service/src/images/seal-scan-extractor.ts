import { readImageHeader } from './image-header';
import { crop, decodeJpeg, decodePng, encodePng, expand, type Box, type Rgba } from './raster';
import { checkSides, pixelsToMm } from './seal-image-normalizer';
import { SealImageError } from './seal-image-errors';

/**
 * A seal picture from a scan or photo of a stamp on white paper (one impression of the 采集表):
 * red ink is kept, paper, black print and scanner noise become transparent, and the result is
 * cropped to the impression. Pure: no Nest, no database.
 *
 * How: each pixel's redness d = R − max(G, B) (paper and black print ≈ 0, red ink ≫ 0) gives its
 * opacity, ramping from d = LOW to d = HIGH so anti-aliased edges stay smooth. Specks are dropped
 * twice: a pixel needs inky neighbours, and connected pieces of ink count only when they belong
 * to the impression (the largest pieces and whatever lies within their box).
 */
export interface ScanLimits {
  readonly maxBytes: number;
  readonly maxSidePx: number;
  readonly minSidePx: number;
  readonly minInkPixels: number;
}

export const SCAN_LIMITS: ScanLimits = {
  maxBytes: 512 * 1024,
  maxSidePx: 4000,
  minSidePx: 16,
  minInkPixels: 100,
};

export interface ExtractOptions {
  /** Resolution of the scan when the file does not declare one; default 300 dpi. */
  readonly dpi?: number;
}

export interface ExtractedSealImage {
  readonly png: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly inkPixels: number;
  /** The ink colour the picture is drawn in (mean of the strongest ink), as #rrggbb. */
  readonly inkColor: string;
  /** Resolution used for the millimetre size, and where it came from. */
  readonly dpi: number;
  readonly dpiSource: 'file' | 'request' | 'default';
  readonly widthMm: number;
  readonly heightMm: number;
  readonly source: { readonly format: 'png' | 'jpeg'; readonly widthPx: number; readonly heightPx: number; readonly bytes: number };
}

const LOW = 40;
const HIGH = 100;
const INK = 60;
const MARGIN_PX = 2;

export function extractSealFromScan(bytes: Uint8Array, options: ExtractOptions = {}, limits: ScanLimits = SCAN_LIMITS): ExtractedSealImage {
  if (!bytes.length) throw new SealImageError('image_empty', 'no image data');
  if (bytes.length > limits.maxBytes) {
    throw new SealImageError('image_too_large', `the file has ${bytes.length} bytes, at most ${limits.maxBytes} are accepted`);
  }
  const header = readImageHeader(bytes);
  checkSides(header.width, header.height, limits);
  const img = header.format === 'png' ? decodePng(bytes) : decodeJpeg(bytes, Math.ceil((limits.maxSidePx * limits.maxSidePx) / 1e6));
  checkSides(img.width, img.height, limits);

  const { width, height } = img;
  const n = width * height;
  const redness = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const alpha = img.data[o + 3]!;
    // A transparent PNG pixel is paper: composite on white first.
    const r = 255 - (((255 - img.data[o]!) * alpha) >> 8);
    const g = 255 - (((255 - img.data[o + 1]!) * alpha) >> 8);
    const b = 255 - (((255 - img.data[o + 2]!) * alpha) >> 8);
    redness[i] = r - Math.max(g, b);
  }

  // 1. Ink mask without isolated specks: an inky pixel needs at least 3 inky-ish neighbours.
  const mask = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (redness[i]! < INK) continue;
      let near = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dx || dy) && xx >= 0 && xx < width && redness[yy * width + xx]! >= LOW) near++;
        }
      }
      if (near >= 3) mask[i] = 1;
    }
  }

  // 2. The impression: connected pieces of ink; keep the big ones and whatever lies in their box.
  const box = impressionBox(mask, width, height);
  const inkPixels = box ? countIn(mask, width, box) : 0;
  if (!box || inkPixels < limits.minInkPixels) {
    throw new SealImageError('image_empty', `no red seal impression found (${inkPixels} ink pixels, at least ${limits.minInkPixels} expected)`);
  }

  // 3. Opacity from redness inside the box (near the kept ink only), one ink colour throughout.
  const out = expand(box, MARGIN_PX, width, height);
  const color = inkColor(img, redness, mask, out, width);
  const cropped = crop(img, out);
  const data = cropped.data;
  for (let y = out.y0; y < out.y1; y++) {
    for (let x = out.x0; x < out.x1; x++) {
      const i = y * width + x;
      const o = ((y - out.y0) * cropped.width + (x - out.x0)) * 4;
      const alpha = nearInk(mask, width, height, x, y) ? ramp(redness[i]!) : 0;
      if (alpha === 0) {
        data.fill(0, o, o + 4);
      } else {
        data[o] = color[0];
        data[o + 1] = color[1];
        data[o + 2] = color[2];
        data[o + 3] = alpha;
      }
    }
  }

  const dpiSource = header.dpi ? 'file' : options.dpi ? 'request' : 'default';
  const dpi = header.dpi ?? options.dpi ?? 300;
  return {
    png: encodePng(cropped),
    widthPx: cropped.width,
    heightPx: cropped.height,
    inkPixels,
    inkColor: `#${color.map((c) => c.toString(16).padStart(2, '0')).join('')}`,
    dpi,
    dpiSource,
    widthMm: pixelsToMm(cropped.width, dpi),
    heightMm: pixelsToMm(cropped.height, dpi),
    source: { format: header.format, widthPx: width, heightPx: height, bytes: bytes.length },
  };
}

function ramp(d: number): number {
  if (d <= LOW) return 0;
  if (d >= HIGH) return 255;
  return Math.round(((d - LOW) * 255) / (HIGH - LOW));
}

/** Edge pixels (below the ink threshold) stay only next to kept ink, so no halo of noise survives. */
function nearInk(mask: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= height) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      if (xx >= 0 && xx < width && mask[yy * width + xx] === 2) return true;
    }
  }
  return false;
}

/**
 * Labels 8-connected pieces of `mask` (1 = ink), marks the kept ones 2 and returns their box.
 * Kept: pieces of at least 2% of the largest piece (the ring, the star, characters), then any
 * other piece whose box lies inside their box grown by 10% (dots of small characters).
 */
function impressionBox(mask: Uint8Array, width: number, height: number): Box | undefined {
  const label = new Int32Array(mask.length);
  const pieces: { size: number; box: { x0: number; y0: number; x1: number; y1: number } }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1 || label[start]) continue;
    const id = pieces.length + 1;
    const piece = { size: 0, box: { x0: width, y0: height, x1: 0, y1: 0 } };
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      piece.size++;
      if (x < piece.box.x0) piece.box.x0 = x;
      if (y < piece.box.y0) piece.box.y0 = y;
      if (x + 1 > piece.box.x1) piece.box.x1 = x + 1;
      if (y + 1 > piece.box.y1) piece.box.y1 = y + 1;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (mask[j] === 1 && !label[j]) {
            label[j] = id;
            stack.push(j);
          }
        }
      }
    }
    pieces.push(piece);
  }
  if (!pieces.length) return undefined;
  const largest = Math.max(...pieces.map((p) => p.size));
  const keep = new Set<number>();
  let box: { x0: number; y0: number; x1: number; y1: number } | undefined;
  pieces.forEach((p, k) => {
    if (p.size < largest * 0.02) return;
    keep.add(k + 1);
    box = box ? { x0: Math.min(box.x0, p.box.x0), y0: Math.min(box.y0, p.box.y0), x1: Math.max(box.x1, p.box.x1), y1: Math.max(box.y1, p.box.y1) } : { ...p.box };
  });
  const b = box!;
  const gx = Math.ceil((b.x1 - b.x0) * 0.1);
  const gy = Math.ceil((b.y1 - b.y0) * 0.1);
  pieces.forEach((p, k) => {
    if (keep.has(k + 1)) return;
    if (p.box.x0 >= b.x0 - gx && p.box.x1 <= b.x1 + gx && p.box.y0 >= b.y0 - gy && p.box.y1 <= b.y1 + gy) keep.add(k + 1);
  });
  let result: Box | undefined;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 1) continue;
    if (!keep.has(label[i]!)) {
      mask[i] = 0;
      continue;
    }
    mask[i] = 2;
    const x = i % width;
    const y = (i - x) / width;
    result = result
      ? { x0: Math.min(result.x0, x), y0: Math.min(result.y0, y), x1: Math.max(result.x1, x + 1), y1: Math.max(result.y1, y + 1) }
      : { x0: x, y0: y, x1: x + 1, y1: y + 1 };
  }
  return result;
}

function countIn(mask: Uint8Array, width: number, box: Box): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) if (mask[y * width + x] === 2) n++;
  return n;
}

/** Mean colour of the strongest kept ink (redness ≥ HIGH), else of all kept ink. */
function inkColor(img: Rgba, redness: Int16Array, mask: Uint8Array, box: Box, width: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (const strongOnly of [true, false]) {
    for (let y = box.y0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++) {
        const i = y * width + x;
        if (mask[i] !== 2 || (strongOnly && redness[i]! < HIGH)) continue;
        sum[0] += img.data[i * 4]!;
        sum[1] += img.data[i * 4 + 1]!;
        sum[2] += img.data[i * 4 + 2]!;
        n++;
      }
    }
    if (n) break;
  }
  return n ? [Math.round(sum[0]! / n), Math.round(sum[1]! / n), Math.round(sum[2]! / n)] : [230, 0, 18];
}
