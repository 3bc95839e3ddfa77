/**
 * Seal picture types. The standards write the type as an IA5String ("GIF, BMP, JPG, PNG, SVG…");
 * real seals use any case ("PNG", "png", "ofd"), so everything here compares case-insensitively.
 * "ofd" is an OFD package (zip) holding a vector seal image, as tax-bureau seals use.
 */
export type PictureFormat = 'png' | 'gif' | 'jpg' | 'bmp' | 'svg' | 'ofd' | 'tiff';

const ALIASES: Readonly<Record<string, PictureFormat>> = {
  png: 'png',
  gif: 'gif',
  jpg: 'jpg',
  jpeg: 'jpg',
  bmp: 'bmp',
  svg: 'svg',
  ofd: 'ofd',
  tif: 'tiff',
  tiff: 'tiff',
};

/** The normalised format of a picture type string, or undefined when unknown. */
export function pictureFormatOf(type: string): PictureFormat | undefined {
  return ALIASES[type.trim().toLowerCase()];
}

const startsWith = (data: Uint8Array, ...bytes: number[]): boolean => bytes.every((b, i) => data[i] === b);

/** The format the bytes actually are, from their magic numbers; undefined when not recognised. */
export function sniffPictureFormat(data: Uint8Array): PictureFormat | undefined {
  if (startsWith(data, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (startsWith(data, 0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (startsWith(data, 0xff, 0xd8, 0xff)) return 'jpg';
  if (startsWith(data, 0x42, 0x4d)) return 'bmp';
  if (startsWith(data, 0x50, 0x4b, 0x03, 0x04)) return 'ofd';
  if (startsWith(data, 0x49, 0x49, 0x2a, 0x00) || startsWith(data, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  // SVG is text: skip a BOM and whitespace, then expect markup that mentions <svg early on.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return 'svg';
  return undefined;
}
