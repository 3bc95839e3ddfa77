/**
 * A minimal strict DER reader: definite lengths only, every element must fit inside its parent,
 * nothing may trail. It hands out byte ranges instead of decoded objects, so hot paths (OCSP
 * requests) parse without allocation and fields such as CertIDs and nonces can be echoed
 * byte for byte.
 */

export class DerReadError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`DER error at byte ${offset}: ${detail}`);
    this.name = 'DerReadError';
  }
}

export interface DerElement {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the element. */
  readonly end: number;
}

/** Reads a sequence of sibling elements within [offset, end) of `bytes`. */
export class DerReader {
  private offset: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  /** Reader over the content of a constructed element. */
  static inside(bytes: Uint8Array, el: DerElement): DerReader {
    return new DerReader(bytes, el.contentStart, el.end);
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  get position(): number {
    return this.offset;
  }

  /** Tag of the next element, or -1 at the end. */
  peekTag(): number {
    return this.offset < this.end ? this.bytes[this.offset]! : -1;
  }

  /** Reads the next element; when `tag` is given it must match. */
  read(tag?: number, what = 'element'): DerElement {
    const { bytes } = this;
    const start = this.offset;
    if (start + 2 > this.end) throw new DerReadError(start, `truncated ${what}`);
    const actual = bytes[start]!;
    if (tag !== undefined && actual !== tag) {
      throw new DerReadError(start, `expected ${what} (tag 0x${tag.toString(16)}), found tag 0x${actual.toString(16)}`);
    }
    if ((actual & 0x1f) === 0x1f) throw new DerReadError(start, 'multi-byte tags are not used here');
    let pos = start + 1;
    const first = bytes[pos++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const count = first & 0x7f;
      if (count === 0) throw new DerReadError(start, 'indefinite length is not DER');
      if (count > 4) throw new DerReadError(start, 'length too large');
      if (pos + count > this.end) throw new DerReadError(start, `truncated ${what} length`);
      if (bytes[pos] === 0) throw new DerReadError(start, 'non-minimal length (leading zero) is not DER');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
      if (length < 0x80) throw new DerReadError(start, 'long-form length for a short element is not DER');
    }
    const end = pos + length;
    if (end > this.end) throw new DerReadError(start, `${what} overruns its container`);
    this.offset = end;
    return { tag: actual, start, contentStart: pos, end };
  }

  /** Reads the next element only if it has `tag`. */
  readOptional(tag: number, what?: string): DerElement | undefined {
    return this.peekTag() === tag ? this.read(tag, what) : undefined;
  }

  /** Throws unless every byte of the range was consumed. */
  expectEnd(what = 'structure'): void {
    if (this.offset !== this.end) throw new DerReadError(this.offset, `unexpected data after ${what}`);
  }
}

export const contentOf = (bytes: Uint8Array, el: DerElement): Uint8Array => bytes.subarray(el.contentStart, el.end);
export const encodedOf = (bytes: Uint8Array, el: DerElement): Uint8Array => bytes.subarray(el.start, el.end);

/**
 * Decodes OBJECT IDENTIFIER content to dotted form. Arcs beyond 2^53 (UUID arcs under 2.25, X.667,
 * such as ecert's own) are decoded with BigInt; ordinary OIDs stay on the number fast path.
 */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerReadError(0, 'empty OBJECT IDENTIFIER');
  const arcs: (number | bigint)[] = [];
  let value: number | bigint = 0;
  let started = false;
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!;
    if (!started && b === 0x80) throw new DerReadError(i, 'non-minimal OBJECT IDENTIFIER arc');
    started = true;
    if (typeof value === 'number' && value * 128 + (b & 0x7f) > Number.MAX_SAFE_INTEGER) value = BigInt(value);
    value = typeof value === 'bigint' ? value * 128n + BigInt(b & 0x7f) : value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
      started = false;
    } else if (i === content.length - 1) {
      throw new DerReadError(i, 'truncated OBJECT IDENTIFIER');
    }
  }
  const first = arcs[0]!;
  const head =
    typeof first === 'bigint' ? [2n, first - 80n] : first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}
