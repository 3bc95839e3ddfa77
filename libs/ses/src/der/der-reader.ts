import { SesDecodeError } from '../ses-errors';

/**
 * A small DER reader that keeps, for every element, where it sits in the received bytes. Seal
 * signatures are verified over exactly those bytes (never a re-encoding), so the decoder needs the
 * raw slices, which schema libraries do not hand out reliably.
 *
 * It is strict where a mistake would be ambiguous (indefinite lengths, truncation, constructed
 * strings) and lenient where real seals are odd but readable (non-minimal lengths become warnings).
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export interface DerNode {
  /** The identifier octet (for multi-byte tags: the first one). */
  readonly tag: number;
  readonly constructed: boolean;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly tagNumber: number;
  /** The whole element (tag, length, content) as received. Shares memory with the input. */
  readonly tlv: Uint8Array;
  /** The content octets as received. Shares memory with the input. */
  readonly content: Uint8Array;
}

/** Collects tolerated oddities so callers can show them; decoding continues. */
export interface DecodeContext {
  readonly warnings: string[];
}

export function newDecodeContext(): DecodeContext {
  return { warnings: [] };
}

export function readNode(bytes: Uint8Array, offset: number, path: string, ctx?: DecodeContext): DerNode {
  if (offset >= bytes.length) throw new SesDecodeError('TRUNCATED', path, 'element expected, input ended');
  const first = bytes[offset]!;
  let pos = offset + 1;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    // High-tag-number form: never used by SES, but readable so unknown trailing fields can be skipped.
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (pos >= bytes.length) throw new SesDecodeError('TRUNCATED', path, 'input ended inside a tag');
      if (i >= 4) throw new SesDecodeError('MALFORMED_DER', path, 'tag number too large');
      const b = bytes[pos++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
  }
  if (pos >= bytes.length) throw new SesDecodeError('TRUNCATED', path, 'input ended before the length');
  const lengthByte = bytes[pos++]!;
  let length: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
  } else if (lengthByte === 0x80) {
    throw new SesDecodeError('MALFORMED_DER', path, 'indefinite length (BER) is not DER');
  } else {
    const count = lengthByte & 0x7f;
    if (count > 4) throw new SesDecodeError('MALFORMED_DER', path, `length of ${count} octets is not plausible`);
    if (pos + count > bytes.length) throw new SesDecodeError('TRUNCATED', path, 'input ended inside a length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
    if (length < 0x80 || (count > 1 && bytes[pos - count] === 0)) {
      ctx?.warnings.push(`${path}: non-minimal length encoding (BER), accepted`);
    }
  }
  const end = pos + length;
  if (end > bytes.length) {
    throw new SesDecodeError('TRUNCATED', path, `element claims ${length} content octets, only ${bytes.length - pos} present`);
  }
  return {
    tag: first,
    constructed: (first & 0x20) !== 0,
    tagClass: first >> 6,
    tagNumber,
    tlv: bytes.subarray(offset, end),
    content: bytes.subarray(pos, end),
  };
}

/** The one element that `bytes` must consist of. */
export function readSingleNode(input: Uint8Array, path: string, ctx?: DecodeContext): DerNode {
  if (!(input instanceof Uint8Array)) throw new SesDecodeError('MALFORMED_DER', path, 'input is not a byte array');
  // A Buffer's slice() shares memory; a plain view makes every slice() below a real copy, so
  // decoded fields never alias (and never change with) the caller's buffer.
  const bytes = Object.getPrototypeOf(input) === Uint8Array.prototype ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0) throw new SesDecodeError('TRUNCATED', path, 'input is empty');
  const node = readNode(bytes, 0, path, ctx);
  if (node.tlv.length !== bytes.length) {
    throw new SesDecodeError('TRAILING_DATA', path, `${bytes.length - node.tlv.length} bytes after the end of the structure`);
  }
  return node;
}

/** The elements inside a constructed node. */
export function childrenOf(node: DerNode, path: string, ctx?: DecodeContext): DerNode[] {
  if (!node.constructed) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, 'expected a constructed element');
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.content.length) {
    const child = readNode(node.content, pos, `${path}[${out.length}]`, ctx);
    out.push(child);
    pos += child.tlv.length;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, path: string, what: string): DerNode {
  if (!node) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what} is missing`);
  if (node.tag !== tag) {
    throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what} expected (tag 0x${hex2(tag)}), found tag 0x${hex2(node.tag)}`);
  }
  return node;
}

/** The children of a SEQUENCE at `path`. */
export function sequenceChildren(node: DerNode | undefined, path: string, what: string, ctx?: DecodeContext): DerNode[] {
  return childrenOf(expectTag(node, TAG.SEQUENCE, path, what), path, ctx);
}

/** A small INTEGER (versions, types, sizes). */
export function readSmallInteger(node: DerNode | undefined, path: string, what: string): number {
  const n = expectTag(node, TAG.INTEGER, path, what);
  const c = n.content;
  if (c.length === 0) throw new SesDecodeError('MALFORMED_DER', path, `${what}: empty INTEGER`);
  if (c.length > 6) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what}: INTEGER of ${c.length} octets is out of range`);
  let value = 0;
  for (const b of c) value = value * 256 + b;
  // Two's complement: a set top bit means negative (never valid in SES, but report it as read).
  return c[0]! & 0x80 ? value - 2 ** (8 * c.length) : value;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

/**
 * A character string. `tags` lists what the standard allows; other string types are accepted with a
 * warning (real seals use PrintableString or IA5String where UTF8String is specified, and the
 * reverse). Non-ASCII in an ASCII-only type is decoded as UTF-8 when it is valid UTF-8.
 */
export function readString(node: DerNode | undefined, path: string, what: string, tags: readonly number[], ctx?: DecodeContext): string {
  if (!node) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what} is missing`);
  const stringTags: readonly number[] = [TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.IA5_STRING, TAG.T61_STRING, TAG.BMP_STRING];
  if (!stringTags.includes(node.tag)) {
    throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what} expected a character string, found tag 0x${hex2(node.tag)}`);
  }
  if (!tags.includes(node.tag)) ctx?.warnings.push(`${path}: ${what} encoded with string tag 0x${hex2(node.tag)}, accepted`);
  if (node.tag === TAG.BMP_STRING) {
    if (node.content.length % 2) throw new SesDecodeError('MALFORMED_DER', path, `${what}: odd-length BMPString`);
    let s = '';
    for (let i = 0; i < node.content.length; i += 2) s += String.fromCharCode((node.content[i]! << 8) | node.content[i + 1]!);
    return s;
  }
  if (node.tag === TAG.UTF8_STRING) {
    try {
      return UTF8.decode(node.content);
    } catch {
      ctx?.warnings.push(`${path}: ${what} is not valid UTF-8, read as Latin-1`);
      return LATIN1.decode(node.content);
    }
  }
  const ascii = node.content.every((b) => b < 0x80);
  if (ascii) return LATIN1.decode(node.content);
  try {
    const s = UTF8.decode(node.content);
    ctx?.warnings.push(`${path}: ${what} holds non-ASCII (UTF-8) characters, accepted`);
    return s;
  } catch {
    ctx?.warnings.push(`${path}: ${what} holds non-ASCII bytes, read as Latin-1`);
    return LATIN1.decode(node.content);
  }
}

export function readOctetString(node: DerNode | undefined, path: string, what: string): Uint8Array {
  return expectTag(node, TAG.OCTET_STRING, path, what).content.slice();
}

/** BIT STRING content without the unused-bits octet; SES never uses partial octets. */
export function readBitString(node: DerNode | undefined, path: string, what: string): Uint8Array {
  const n = expectTag(node, TAG.BIT_STRING, path, what);
  if (n.content.length === 0) throw new SesDecodeError('MALFORMED_DER', path, `${what}: BIT STRING without the unused-bits octet`);
  const unused = n.content[0]!;
  if (unused !== 0) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `${what}: BIT STRING with ${unused} unused bits`);
  return n.content.slice(1);
}

export function readBoolean(node: DerNode, path: string, ctx?: DecodeContext): boolean {
  const n = expectTag(node, TAG.BOOLEAN, path, 'BOOLEAN');
  if (n.content.length !== 1) throw new SesDecodeError('MALFORMED_DER', path, 'BOOLEAN must have one content octet');
  const v = n.content[0]!;
  if (v !== 0 && v !== 0xff) ctx?.warnings.push(`${path}: BOOLEAN TRUE encoded as 0x${hex2(v)} (BER), accepted`);
  return v !== 0;
}

export function readOid(node: DerNode | undefined, path: string, what: string): string {
  const n = expectTag(node, TAG.OID, path, what);
  const c = n.content;
  if (c.length === 0 || c[c.length - 1]! & 0x80) throw new SesDecodeError('MALFORMED_DER', path, `${what}: malformed OBJECT IDENTIFIER`);
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of c) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
