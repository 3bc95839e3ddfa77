/**
 * A placement as a person measures on the page as displayed (rotation applied): from the
 * top-left corner of the visible (Crop) box, in millimetres. `page` is 1-based.
 */
export interface PagePlacement {
  page: number;
  xMm: number;
  yMm: number;
  widthMm: number;
  heightMm: number;
}

/**
 * A placement that shows one vertical slice of the seal (骑缝章): slice `index` (0-based, from the
 * left) of `of` equal ones; the placement's width is the slice's.
 */
export interface SlicedPlacement extends PagePlacement {
  slice?: { index: number; of: number };
}
