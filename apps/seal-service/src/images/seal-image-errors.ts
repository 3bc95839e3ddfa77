/**
 * Why an image was refused. Pure: the service turns it into a 400 problem naming the field.
 * Codes are stable (clients switch on them); messages are for people.
 */
export type SealImageErrorCode =
  /** Not a PNG (or, for scans, not a JPEG/PNG) at all. */
  | 'image_format_unsupported'
  /** The right signature, but it does not decode. */
  | 'image_corrupt'
  /** Too many bytes or pixels. */
  | 'image_too_large'
  /** Too small to be a seal. */
  | 'image_too_small'
  /** Nothing (or almost nothing) drawn: blank, fully transparent, no red ink. */
  | 'image_empty'
  /** A PNG whose background is not transparent (it would cover the document under it). */
  | 'image_not_transparent';

export class SealImageError extends Error {
  override readonly name = 'SealImageError';

  constructor(
    readonly code: SealImageErrorCode,
    readonly detail: string,
  ) {
    super(`印章图片无效 (invalid seal image: ${detail})`);
  }
}
