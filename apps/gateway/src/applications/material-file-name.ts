const MAX_CHARS = 255;
/** C0/C1 controls, DEL, and the invisible format characters (bidi overrides, zero-width) that disguise names. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
/** What Windows, shells or a Content-Disposition header would misread. */
const RESERVED = /[<>:"|?*\\/;]/g;
const MAX_EXTENSION_CHARS = 16;

/**
 * The name an uploader gave a material, made safe to show to a reviewer and to put in a download
 * header: no directories, no control or direction-changing characters, no reserved punctuation,
 * at most 255 characters (the extension kept when shortened). It is a label only: the type is
 * judged by content and the bytes are stored by their hash, never under this name.
 */
export function sanitiseFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  let s = name.normalize('NFC').replace(INVISIBLE, '');
  // Browsers on Windows once sent the whole path; only its last segment is the name.
  s = s.split(/[\\/]/).pop() ?? '';
  s = s.replace(RESERVED, '_').replace(/\s+/g, ' ').trim();
  // A leading dot hides a file on Unix; trailing dots and spaces vanish on Windows.
  s = s.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!s) return undefined;
  const chars = [...s];
  if (chars.length <= MAX_CHARS) return s;
  const dot = s.lastIndexOf('.');
  const ext = dot > 0 ? [...s.slice(dot)] : [];
  if (ext.length > 1 && ext.length <= MAX_EXTENSION_CHARS) {
    return [...chars.slice(0, MAX_CHARS - ext.length), ...ext].join('').trim();
  }
  return chars.slice(0, MAX_CHARS).join('').trim();
}
