import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// opentype.js is CommonJS: plain Node's ESM loader offers only its default export.
import opentype, { type Font, type PathCommand } from 'opentype.js';
import { encodePng, type Rgba } from './raster';
import { SealImageError } from './seal-image-errors';

/**
 * Draws a seal picture for units that have none to upload (issue 4 §2): red ring, star (round
 * seals), the unit name along the upper arc, optional centre and bottom lines, on a transparent
 * background. Glyph outlines come from a TrueType font via opentype.js; filling is our own
 * scanline rasterizer so no native canvas is needed. Pure: no Nest, no database.
 */
export interface SealImageSpec {
  /** The unit name, drawn clockwise along the upper arc. */
  readonly text: string;
  /** A horizontal line under the star, e.g. 合同专用章. */
  readonly centerText?: string;
  /** A small horizontal line near the bottom, e.g. a number. */
  readonly bottomText?: string;
  readonly shape?: 'round' | 'oval';
  /** Width in millimetres: default 42 (round official seal) or 45 (oval). */
  readonly diameterMm?: number;
  /** Oval seals only: default two thirds of the width (45×30). */
  readonly heightMm?: number;
  readonly pxPerMm?: number;
  /** Round seals only: default true. */
  readonly star?: boolean;
  /** TrueType/OpenType font with CJK glyphs; default $ECERT_SEAL_FONT or defaultSealFont(). */
  readonly fontPath?: string;
}

export interface GeneratedSealImage {
  readonly png: Buffer;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly widthMm: number;
  readonly heightMm: number;
}

/**
 * Noto Serif SC Bold (= Source Han Serif, MIT AND OFL-1.1) from npm, so no system font is needed:
 * a 宋体 face, as GA 241 prescribes for the text of official seals.
 */
const FONT_PACKAGE = '@expo-google-fonts/noto-serif-sc';
const FONT_FILE = '700Bold/NotoSerifSC_700Bold.ttf';

/** Path of the packaged default font, resolved from node_modules (source under Vitest or dist/ under node alike). */
export function defaultSealFont(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${FONT_PACKAGE}/package.json`)), FONT_FILE);
  } catch {
    return `node_modules/${FONT_PACKAGE}/${FONT_FILE}`; // not installed: loadSealFont reports this path
  }
}
/** 印章红 (close to #E60012). */
const INK = [230, 0, 18] as const;
const RING_MM = 1.2;
/** Vertical subsamples per pixel row (horizontal coverage is exact per span). */
const SUBSAMPLES = 4;
/** Seal glyphs are tall and narrow, as engraved. */
const GLYPH_X_SCALE = 0.78;

type Point = readonly [number, number];
type Contour = Point[];
type Transform = (x: number, y: number) => Point;

const fonts = new Map<string, Font>();

/** The font, parsed once per path (the default takes ~0.4 s). */
export function loadSealFont(path = process.env['ECERT_SEAL_FONT'] || defaultSealFont()): Font {
  const cached = fonts.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new Error(
      `seal font not found at ${path}: the default font comes from the npm package ${FONT_PACKAGE} (npm ci installs it); ` +
        'ECERT_SEAL_FONT overrides it with any TTF/OTF that has CJK glyphs',
    );
  }
  const buf = readFileSync(path);
  const font = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  fonts.set(path, font);
  return font;
}

export function generateSealImage(spec: SealImageSpec): GeneratedSealImage {
  const text = Array.from((spec.text ?? '').trim());
  if (!text.length) throw new SealImageError('image_empty', 'no text to draw: the seal name is empty');
  const shape = spec.shape ?? 'round';
  const pxPerMm = spec.pxPerMm ?? 10;
  const widthMm = spec.diameterMm ?? (shape === 'round' ? 42 : 45);
  const heightMm = shape === 'round' ? widthMm : (spec.heightMm ?? Math.round((widthMm * 2) / 3));
  if (!(pxPerMm > 0) || !(widthMm > 0) || !(heightMm > 0)) throw new SealImageError('image_too_small', 'the seal size must be positive');
  const width = Math.round(widthMm * pxPerMm);
  const height = Math.round(heightMm * pxPerMm);
  if (width < 16 || height < 16) throw new SealImageError('image_too_small', `a ${width}x${height} px seal is too small to draw`);
  const font = loadSealFont(spec.fontPath);

  const cov = new Float32Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  // Outer edge 1 px inside the canvas so the anti-aliased rim is not cut off.
  const a = cx - 1;
  const b = cy - 1;
  const ring = RING_MM * pxPerMm;
  fill(cov, width, height, [ellipse(cx, cy, a, b, false), ellipse(cx, cy, a - ring, b - ring, true)]);

  const inA = a - ring;
  const inB = b - ring;
  const minR = Math.min(inA, inB);
  const hasStar = shape === 'round' && spec.star !== false;
  if (hasStar) fill(cov, width, height, [star(cx, cy, minR * 0.36)]);
  drawArcText(cov, width, height, font, text, { cx, cy, a: inA, b: inB, gap: 0.08 * minR });

  const center = Array.from(spec.centerText?.trim() ?? '');
  if (center.length) {
    const h = minR * (hasStar ? 0.2 : 0.26);
    const top = hasStar ? cy + minR * 0.38 : cy - h / 2;
    drawLine(cov, width, height, font, center, { cx, top, h, maxWidth: 1.3 * minR });
  }
  const bottom = Array.from(spec.bottomText?.trim() ?? '');
  if (bottom.length) {
    const h = minR * 0.12;
    const top = cy + inB * 0.76 - h / 2;
    drawLine(cov, width, height, font, bottom, { cx, top, h, maxWidth: 0.9 * minR });
  }

  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < cov.length; i++) {
    const alpha = Math.round(Math.min(1, cov[i]!) * 255);
    if (!alpha) continue; // fully transparent pixels stay 0,0,0,0
    data[i * 4] = INK[0];
    data[i * 4 + 1] = INK[1];
    data[i * 4 + 2] = INK[2];
    data[i * 4 + 3] = alpha;
  }
  const img: Rgba = { width, height, data };
  const png = encodePng(img);
  return { png: Buffer.from(png.buffer, png.byteOffset, png.byteLength), widthPx: width, heightPx: height, widthMm, heightMm };
}

interface ArcLayout {
  readonly cx: number;
  readonly cy: number;
  /** Inner ring radii. */
  readonly a: number;
  readonly b: number;
  /** Between ring and glyph tops. */
  readonly gap: number;
}

/** Glyphs in equal cells along the upper arc, each rotated so its top faces outwards. */
function drawArcText(cov: Float32Array, width: number, height: number, font: Font, chars: string[], l: ArcLayout): void {
  const n = chars.length;
  const minR = Math.min(l.a, l.b);
  const maxSpan = (240 * Math.PI) / 180;
  const ext = extent(font, chars);
  let h = 0.3 * minR;
  let span = 0;
  // Shrink until the cells fit in 240°; the radius at the glyphs' middle moves as they shrink, hence the loop.
  for (let i = 0; i < 8; i++) {
    const mid = minR - l.gap - h / 2;
    const cell = h * GLYPH_X_SCALE * 1.12;
    span = Math.max((n * cell) / mid, (Math.min(210, 60 + 18 * n) * Math.PI) / 180);
    if (span <= maxSpan) break;
    h *= maxSpan / span;
    span = maxSpan;
  }
  span = Math.min(span, maxSpan);
  const size = h / ext.height;
  // Baseline ellipse: glyph tops (ext.top < 0) land at the gap below the ring.
  const da = l.a - l.gap + ext.top * size;
  const db = l.b - l.gap + ext.top * size;
  const phis = equalArcSteps(da, db, span, n);
  for (let i = 0; i < n; i++) {
    const path = glyphFor(font, chars[i]!).getPath(0, 0, size);
    const box = path.getBoundingBox();
    const gx = (box.x1 + box.x2) / 2;
    const phi = phis[i]!;
    // Point on the baseline at phi (0 = top, clockwise), its tangent t and outward normal u.
    const px = l.cx + da * Math.sin(phi);
    const py = l.cy - db * Math.cos(phi);
    const tl = Math.hypot(da * Math.cos(phi), db * Math.sin(phi));
    const tx = (da * Math.cos(phi)) / tl;
    const ty = (db * Math.sin(phi)) / tl;
    const ux = ty;
    const uy = -tx;
    const at: Transform = (x, y) => {
      const xs = (x - gx) * GLYPH_X_SCALE;
      return [px + tx * xs - ux * y, py + ty * xs - uy * y];
    };
    fill(cov, width, height, outline(path.commands, at));
  }
}

interface LineLayout {
  readonly cx: number;
  /** Where the glyphs' tops go. */
  readonly top: number;
  readonly h: number;
  readonly maxWidth: number;
}

/** A horizontal line of glyphs centred on cx, narrowed to fit maxWidth. */
function drawLine(cov: Float32Array, width: number, height: number, font: Font, chars: string[], l: LineLayout): void {
  const ext = extent(font, chars);
  let h = l.h;
  const cellOf = (hh: number) => hh * GLYPH_X_SCALE * 1.05;
  if (chars.length * cellOf(h) > l.maxWidth) h = l.maxWidth / (chars.length * GLYPH_X_SCALE * 1.05);
  const size = h / ext.height;
  const cell = cellOf(h);
  const left = l.cx - (chars.length * cell) / 2;
  const baseline = l.top + (l.h - h) / 2 - ext.top * size;
  chars.forEach((ch, i) => {
    const path = glyphFor(font, ch).getPath(0, 0, size);
    const box = path.getBoundingBox();
    const gx = (box.x1 + box.x2) / 2;
    const ox = left + cell * (i + 0.5);
    fill(cov, width, height, outline(path.commands, (x, y) => [ox + (x - gx) * GLYPH_X_SCALE, baseline + y]));
  });
}

/** Angles (0 = top) of n cell centres equally spaced by arc length over `span` of an ellipse: an oval's top is flatter. */
function equalArcSteps(a: number, b: number, span: number, n: number): number[] {
  const steps = 720;
  const cum = [0];
  for (let k = 1; k <= steps; k++) {
    const t0 = -span / 2 + (span * (k - 1)) / steps;
    const t1 = -span / 2 + (span * k) / steps;
    cum.push(cum[k - 1]! + Math.hypot(a * (Math.sin(t1) - Math.sin(t0)), b * (Math.cos(t1) - Math.cos(t0))));
  }
  const total = cum[steps]!;
  const out: number[] = [];
  let k = 1;
  for (let i = 0; i < n; i++) {
    const target = (total * (i + 0.5)) / n;
    while (k < steps && cum[k]! < target) k++;
    const f = (target - cum[k - 1]!) / (cum[k]! - cum[k - 1]! || 1);
    out.push(-span / 2 + (span * (k - 1 + f)) / steps);
  }
  return out;
}

/** The font's glyph, or its full-width form for ASCII the font lacks (CJK fallback fonts often have no Latin digits). */
function glyphFor(font: Font, ch: string): ReturnType<Font['charToGlyph']> {
  const glyph = font.charToGlyph(ch);
  const code = ch.codePointAt(0)!;
  if (glyph.index === 0 && code > 0x20 && code < 0x7f) {
    const wide = font.charToGlyph(String.fromCodePoint(code + 0xfee0));
    if (wide.index !== 0) return wide;
  }
  return glyph;
}

/** Vertical extent (font units per 1 px of size, y down) shared by all glyphs, so they sit on one baseline. */
function extent(font: Font, chars: string[]): { top: number; height: number } {
  let top = Infinity;
  let bottom = -Infinity;
  for (const ch of chars) {
    const box = glyphFor(font, ch).getPath(0, 0, 1).getBoundingBox();
    if (box.y1 === box.y2) continue; // spaces
    top = Math.min(top, box.y1);
    bottom = Math.max(bottom, box.y2);
  }
  if (!Number.isFinite(top)) return { top: -0.8, height: 1 };
  return { top, height: Math.max(bottom - top, 0.3) };
}

/** Glyph path commands as flattened contours, transformed into the canvas. */
function outline(commands: PathCommand[], at: Transform): Contour[] {
  const contours: Contour[] = [];
  let cur: Contour = [];
  let x = 0;
  let y = 0;
  // About one segment per 0.5 px of control polygon, bounded either way.
  const steps = (len: number) => Math.min(64, Math.max(2, Math.ceil(len / 0.5)));
  for (const c of commands) {
    switch (c.type) {
      case 'M':
        if (cur.length > 2) contours.push(cur);
        cur = [at(c.x, c.y)];
        x = c.x;
        y = c.y;
        break;
      case 'L':
        cur.push(at(c.x, c.y));
        x = c.x;
        y = c.y;
        break;
      case 'Q': {
        const n = steps(Math.hypot(c.x1 - x, c.y1 - y) + Math.hypot(c.x - c.x1, c.y - c.y1));
        for (let i = 1; i <= n; i++) {
          const t = i / n;
          const s = 1 - t;
          cur.push(at(s * s * x + 2 * s * t * c.x1 + t * t * c.x, s * s * y + 2 * s * t * c.y1 + t * t * c.y));
        }
        x = c.x;
        y = c.y;
        break;
      }
      case 'C': {
        const n = steps(Math.hypot(c.x1 - x, c.y1 - y) + Math.hypot(c.x2 - c.x1, c.y2 - c.y1) + Math.hypot(c.x - c.x2, c.y - c.y2));
        for (let i = 1; i <= n; i++) {
          const t = i / n;
          const s = 1 - t;
          const k0 = s * s * s;
          const k1 = 3 * s * s * t;
          const k2 = 3 * s * t * t;
          const k3 = t * t * t;
          cur.push(at(k0 * x + k1 * c.x1 + k2 * c.x2 + k3 * c.x, k0 * y + k1 * c.y1 + k2 * c.y2 + k3 * c.y));
        }
        x = c.x;
        y = c.y;
        break;
      }
      case 'Z':
        if (cur.length > 2) contours.push(cur);
        cur = [];
        break;
    }
  }
  if (cur.length > 2) contours.push(cur);
  return contours;
}

function ellipse(cx: number, cy: number, a: number, b: number, reverse: boolean): Contour {
  const n = Math.max(64, Math.ceil((a + b) * 1.5));
  const pts: Contour = [];
  for (let i = 0; i < n; i++) {
    const t = ((reverse ? -i : i) / n) * 2 * Math.PI;
    pts.push([cx + a * Math.cos(t), cy + b * Math.sin(t)]);
  }
  return pts;
}

/** Five-pointed star, one point up (outer radius r, inner radius r·0.382 as in the regular pentagram). */
function star(cx: number, cy: number, r: number): Contour {
  const inner = r * 0.381966;
  const pts: Contour = [];
  for (let i = 0; i < 10; i++) {
    const rr = i % 2 ? inner : r;
    const t = (i * Math.PI) / 5;
    pts.push([cx + rr * Math.sin(t), cy - rr * Math.cos(t)]);
  }
  return pts;
}

/**
 * Fills closed contours (non-zero winding) and merges the result into `cov` as a union
 * (c + n − c·n), so separately drawn shapes never cancel each other. Each of SUBSAMPLES rows
 * per pixel contributes exact horizontal span coverage.
 */
function fill(cov: Float32Array, width: number, height: number, contours: Contour[]): void {
  interface Edge {
    x0: number;
    y0: number;
    y1: number;
    slope: number;
    dir: number;
  }
  const edges: Edge[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  let minX = Infinity;
  let maxX = -Infinity;
  for (const c of contours) {
    for (let i = 0; i < c.length; i++) {
      const [ax, ay] = c[i]!;
      const [bx, by] = c[(i + 1) % c.length]!;
      minX = Math.min(minX, ax);
      maxX = Math.max(maxX, ax);
      if (ay === by) continue;
      const [x0, y0, y1, dir] = ay < by ? [ax, ay, by, 1] : [bx, by, ay, -1];
      edges.push({ x0, y0, y1, slope: (bx - ax) / (by - ay), dir });
      minY = Math.min(minY, y0);
      maxY = Math.max(maxY, y1);
    }
  }
  if (!edges.length) return;
  const px0 = Math.max(0, Math.floor(minX));
  const px1 = Math.min(width, Math.ceil(maxX) + 1);
  const py0 = Math.max(0, Math.floor(minY));
  const py1 = Math.min(height, Math.ceil(maxY));
  const rowW = px1 - px0;
  if (rowW <= 0 || py1 <= py0) return;
  edges.sort((p, q) => p.y0 - q.y0);
  const row = new Float32Array(rowW);
  const hits: { x: number; dir: number }[] = [];
  for (let py = py0; py < py1; py++) {
    row.fill(0);
    for (let s = 0; s < SUBSAMPLES; s++) {
      const sy = py + (s + 0.5) / SUBSAMPLES;
      hits.length = 0;
      for (let e = 0; e < edges.length; e++) {
        const edge = edges[e]!;
        if (edge.y0 > sy) break;
        if (edge.y1 <= sy) continue;
        hits.push({ x: edge.x0 + (sy - edge.y0) * edge.slope, dir: edge.dir });
      }
      if (hits.length < 2) continue;
      hits.sort((p, q) => p.x - q.x);
      let winding = 0;
      for (let k = 0; k < hits.length - 1; k++) {
        winding += hits[k]!.dir;
        if (winding !== 0) span(row, hits[k]!.x - px0, hits[k + 1]!.x - px0, 1 / SUBSAMPLES);
      }
    }
    const base = py * width + px0;
    for (let x = 0; x < rowW; x++) {
      const n = row[x]!;
      if (n <= 0) continue;
      const c = cov[base + x]!;
      cov[base + x] = c + Math.min(1, n) - c * Math.min(1, n);
    }
  }
}

/** Adds `weight` × the covered fraction of each pixel between x0 and x1 (row-local coordinates). */
function span(row: Float32Array, x0: number, x1: number, weight: number): void {
  const a = Math.max(0, x0);
  const b = Math.min(row.length, x1);
  if (b <= a) return;
  const ia = Math.floor(a);
  const ib = Math.floor(b);
  if (ia === ib) {
    row[ia]! += (b - a) * weight;
    return;
  }
  row[ia]! += (ia + 1 - a) * weight;
  for (let x = ia + 1; x < ib; x++) row[x]! += weight;
  if (ib < row.length) row[ib]! += (b - ib) * weight;
}
