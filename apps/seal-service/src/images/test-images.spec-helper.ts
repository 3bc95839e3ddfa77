/**
 * Test pictures made on the spot (no binary fixtures): seal PNGs with a transparent background,
 * and scan-like JPEGs of a red stamp on white paper with noise, black print and red specks.
 */
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';

const { PNG } = pngjs;

/** Small deterministic PRNG (mulberry32), so a failing picture can be made again. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  set(x: number, y: number, rgba: readonly [number, number, number, number]): void;
}

export function canvas(width: number, height: number, fill: readonly [number, number, number, number] = [0, 0, 0, 0]): Canvas {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(fill, i * 4);
  return {
    width,
    height,
    data,
    set(x, y, rgba) {
      const xi = Math.round(x);
      const yi = Math.round(y);
      if (xi < 0 || yi < 0 || xi >= width || yi >= height) return;
      data.set(rgba, (yi * width + xi) * 4);
    },
  };
}

/** Draws a round seal: ring, five-pointed star and character-like strokes around and below it. */
export function drawSeal(c: Canvas, cx: number, cy: number, radius: number, ink: readonly [number, number, number, number]): void {
  const thickness = Math.max(2, Math.round(radius * 0.08));
  for (let y = Math.floor(cy - radius - 1); y <= cy + radius + 1; y++) {
    for (let x = Math.floor(cx - radius - 1); x <= cx + radius + 1; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d <= radius && d >= radius - thickness) c.set(x, y, ink);
    }
  }
  // star: filled triangle fan
  const star = radius * 0.3;
  const pts: [number, number][] = [];
  for (let k = 0; k < 10; k++) {
    const r = k % 2 ? star * 0.4 : star;
    const t = -Math.PI / 2 + (k * Math.PI) / 5;
    pts.push([cx + r * Math.cos(t), cy + r * Math.sin(t)]);
  }
  for (let y = Math.floor(cy - star); y <= cy + star; y++) {
    for (let x = Math.floor(cx - star); x <= cx + star; x++) if (inPolygon(x, y, pts)) c.set(x, y, ink);
  }
  // "characters" along the upper arc: short strokes of 3-pixel pens
  const stroke = (x0: number, y0: number, x1: number, y1: number) => {
    const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) c.set(x + dx, y + dy, ink);
    }
  };
  const textR = radius * 0.72;
  const glyph = radius * 0.12;
  for (let k = 0; k < 9; k++) {
    const t = Math.PI * (1.1 + (k * 0.8) / 8);
    const gx = cx + textR * Math.cos(t);
    const gy = cy + textR * Math.sin(t);
    stroke(gx - glyph, gy - glyph, gx + glyph, gy - glyph);
    stroke(gx, gy - glyph, gx, gy + glyph);
    stroke(gx - glyph, gy + glyph * 0.3, gx + glyph, gy + glyph * 0.3);
  }
  // a line of text under the star
  for (let k = 0; k < 4; k++) {
    const gx = cx - glyph * 4.5 + k * glyph * 3;
    const gy = cy + radius * 0.5;
    stroke(gx - glyph, gy, gx + glyph, gy);
    stroke(gx, gy - glyph, gx, gy + glyph);
  }
}

function inPolygon(x: number, y: number, pts: readonly [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i]!;
    const [xj, yj] = pts[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function toPng(c: Canvas): Buffer {
  const png = new PNG({ width: c.width, height: c.height });
  png.data = Buffer.from(c.data);
  return PNG.sync.write(png, { colorType: 6 });
}

/** A proper seal picture: red seal on a transparent background, `margin` empty pixels around it. */
export function sealPng(size = 240, margin = 20): Buffer {
  const c = canvas(size + 2 * margin, size + 2 * margin);
  drawSeal(c, margin + size / 2, margin + size / 2, size / 2 - 1, [220, 20, 30, 255]);
  return toPng(c);
}

/** Nothing drawn: every pixel transparent. */
export function blankPng(width = 200, height = 200): Buffer {
  return toPng(canvas(width, height));
}

/** A seal on an opaque white background (what a plain scan saved as PNG looks like). */
export function opaquePng(size = 200): Buffer {
  const c = canvas(size, size, [255, 255, 255, 255]);
  drawSeal(c, size / 2, size / 2, size / 2 - 5, [220, 20, 30, 255]);
  return toPng(c);
}

export interface ScanOptions {
  width?: number;
  height?: number;
  /** Centre and radius of the stamp. */
  cx?: number;
  cy?: number;
  radius?: number;
  /** Amplitude of the per-channel noise (±). */
  noise?: number;
  seed?: number;
  quality?: number;
  /** Draw the stamp at all (false → a blank sheet). */
  stamp?: boolean;
}

/**
 * A scan of the seal-impression form: off-white paper with noise, a black printed line and label,
 * a few isolated red specks far from the stamp, and the red stamp itself (slightly uneven ink).
 */
export function scanJpeg(opts: ScanOptions = {}): { jpeg: Buffer; cx: number; cy: number; radius: number; width: number; height: number } {
  const width = opts.width ?? 360;
  const height = opts.height ?? 300;
  const radius = opts.radius ?? 100;
  const cx = opts.cx ?? 200;
  const cy = opts.cy ?? 150;
  const rnd = prng(opts.seed ?? 7);
  const c = canvas(width, height, [246, 244, 238, 255]);
  // black print of the form: a table line and a label block
  for (let x = 5; x < width - 5; x++) for (let t = 0; t < 2; t++) c.set(x, height - 12 + t, [30, 30, 30, 255]);
  for (let y = 10; y < 30; y++) for (let x = 10; x < 60; x++) if ((x + y) % 5 < 2) c.set(x, y, [40, 40, 40, 255]);
  if (opts.stamp !== false) {
    // ink a little uneven: draw in two shades
    drawSeal(c, cx, cy, radius, [205, 35, 45, 255]);
  }
  // isolated red specks on the paper, far from the stamp
  for (let k = 0; k < 12; k++) c.set(5 + rnd() * 40, 40 + rnd() * (height - 60), [200, 40, 40, 255]);
  // scanner noise
  const noise = opts.noise ?? 18;
  for (let i = 0; i < width * height; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = c.data[i * 4 + ch]! + Math.round((rnd() * 2 - 1) * noise);
      c.data[i * 4 + ch] = Math.max(0, Math.min(255, v));
    }
  }
  const out = jpeg.encode({ data: c.data, width, height }, opts.quality ?? 85);
  return { jpeg: out.data, cx, cy, radius, width, height };
}
