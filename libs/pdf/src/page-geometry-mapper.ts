/** Points per millimetre (1 pt = 1/72 in). */
export const PT_PER_MM = 72 / 25.4;

/** What the mapping needs of a page: its visible box and rotation. */
export interface PageFrame {
  cropBox: [number, number, number, number];
  rotate: 0 | 90 | 180 | 270;
}

/** A box as measured on the page as displayed, from the top-left of its visible box, in mm. */
export interface DisplayedBoxMm {
  xMm: number;
  yMm: number;
  widthMm: number;
  heightMm: number;
}

export interface UserSpaceBox {
  /** [llx lly urx ury] in default user space: an annotation's /Rect. */
  rect: [number, number, number, number];
  /** The box's size as displayed, in points: an appearance's /BBox is [0 0 width height]. */
  width: number;
  height: number;
  /** The appearance /Matrix that turns it upright on the displayed page (a rotation by -Rotate). */
  matrix: [number, number, number, number, number, number];
}

/** The displayed page's size in mm (rotation applied). */
export function displayedSizeMm(page: PageFrame): { widthMm: number; heightMm: number } {
  const [x0, y0, x1, y1] = page.cropBox;
  const w = (x1 - x0) / PT_PER_MM;
  const h = (y1 - y0) / PT_PER_MM;
  return page.rotate === 90 || page.rotate === 270 ? { widthMm: h, heightMm: w } : { widthMm: w, heightMm: h };
}

/** A displayed point (pt from the top-left, rightwards and downwards) in default user space. */
function toUser(page: PageFrame, u: number, v: number): [number, number] {
  const [x0, y0, x1, y1] = page.cropBox;
  switch (page.rotate) {
    case 0:
      return [x0 + u, y1 - v];
    case 90:
      return [x0 + v, y0 + u];
    case 180:
      return [x1 - u, y0 + v];
    case 270:
      return [x1 - v, y1 - u];
  }
}

/** A user-space point as displayed: pt from the top-left of the visible box, rightwards and downwards. */
export function userToDisplayed(page: PageFrame, x: number, y: number): [number, number] {
  const [x0, y0, x1, y1] = page.cropBox;
  switch (page.rotate) {
    case 0:
      return [x - x0, y1 - y];
    case 90:
      return [y - y0, x - x0];
    case 180:
      return [x1 - x, y - y0];
    case 270:
      return [y1 - y, x1 - x];
  }
}

const MATRIX: Record<PageFrame['rotate'], UserSpaceBox['matrix']> = {
  0: [1, 0, 0, 1, 0, 0],
  90: [0, 1, -1, 0, 0, 0],
  180: [-1, 0, 0, -1, 0, 0],
  270: [0, -1, 1, 0, 0, 0],
};

/**
 * A displayed box in default user space: the annotation rectangle, and the appearance matrix that
 * rotates its upright content against the page's /Rotate so that it shows upright (the reader
 * fits the rotated /BBox into /Rect, ISO 32000-2 §12.5.5, which here is a pure translation).
 */
export function displayedBoxToUserSpace(page: PageFrame, box: DisplayedBoxMm): UserSpaceBox {
  const u = box.xMm * PT_PER_MM;
  const v = box.yMm * PT_PER_MM;
  const width = box.widthMm * PT_PER_MM;
  const height = box.heightMm * PT_PER_MM;
  const [ax, ay] = toUser(page, u, v);
  const [bx, by] = toUser(page, u + width, v + height);
  return { rect: [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)], width, height, matrix: [...MATRIX[page.rotate]] };
}
