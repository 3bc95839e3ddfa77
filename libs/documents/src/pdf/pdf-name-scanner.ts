import { decodePdfName } from './pdf-dictionary-parser';

const SLASH = 0x2f;
/** PDF whitespace and delimiters: where a name ends. */
const ENDS_NAME = new Uint8Array(256);
for (const c of '\0\t\n\f\r ()<>[]{}/%') ENDS_NAME[c.charCodeAt(0)] = 1;

/**
 * The first of `wanted` that occurs as a name (`/Name`, `#hh` escapes decoded) in
 * `bytes[start, end)`, with no regard for the structure around it: a name inside a string or a
 * stream counts too, so the caller decides where a hit may be a false alarm.
 */
export function findPdfName(bytes: Uint8Array, wanted: ReadonlySet<string>, start = 0, end = bytes.length): string | undefined {
  // Escapes triple a name's length at most, so nothing longer can be one of the wanted names.
  const longest = 3 * Math.max(0, ...[...wanted].map((w) => w.length));
  for (let i = bytes.indexOf(SLASH, start); i !== -1 && i < end; i = bytes.indexOf(SLASH, i)) {
    let j = i + 1;
    while (j < end && !ENDS_NAME[bytes[j]] && j - i <= longest) j++;
    if (j - i - 1 <= longest && (j === end || ENDS_NAME[bytes[j]])) {
      const name = decodePdfName(String.fromCharCode(...bytes.subarray(i + 1, j)));
      if (wanted.has(name)) return name;
    }
    // Past an over-long name's characters, to its end (`/` ends a name, so the next one starts there).
    while (j < end && !ENDS_NAME[bytes[j]]) j++;
    i = j;
  }
  return undefined;
}
