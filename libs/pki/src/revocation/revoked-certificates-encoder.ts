import { MAX_SERIAL_OCTETS } from './serial-number';
import { HOLD_EXTENSIONS, INVALIDITY_EXTENSION_SIZE, INVALIDITY_PREFIX, REASON_EXTENSIONS } from './crl-entry-extensions';
import { isReasonCode, type ReasonCode } from './revocation-reason';
import { RevocationInputError } from './revocation-input-error';
import type { CrlEntry } from './crl-builder';

/** The content of revokedCertificates (the entries, without the outer SEQUENCE header), in chunks. */
export interface EncodedRevokedCertificates {
  readonly count: number;
  /** Sum of the chunks' lengths. */
  readonly contentLength: number;
  readonly chunks: readonly Uint8Array[];
}

export interface RevokedCertificatesEncoderOptions {
  /** removeFromCRL is only allowed in delta CRLs (RFC 5280 §5.3.1). */
  delta: boolean;
  /** Size of each output chunk (default 1 MiB). */
  chunkBytes?: number;
}

/** An entry is at most 2 + 22 + 17 + 2 + 12 + 26 + 18 = 99 bytes: one-byte lengths throughout. */
const MAX_ENTRY_BYTES = 128;
/** Whole seconds of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z (the years DER times can hold). */
const MIN_SECONDS = -62_167_219_200;
const MAX_SECONDS = 253_402_300_799;
/** ASCII of 00..99, two bytes each. */
const TWO_DIGITS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  TWO_DIGITS[2 * i] = 0x30 + Math.floor(i / 10);
  TWO_DIGITS[2 * i + 1] = 0x30 + (i % 10);
}
/** Hex digit value by UTF-16 code unit (-1: not hex). */
const NIBBLE = new Int8Array(65_536).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[0x41 + i] = 10 + i;
  NIBBLE[0x61 + i] = 10 + i;
}

/**
 * The CRL's revokedCertificates written entry by entry as they are read, straight into large
 * chunks (no CrlEntry object, no Date, no per-entry array): a complete CRL of a million rows is
 * encoded while its rows stream from the database, and only the ~40 MB of DER stays in memory.
 * Gives the same bytes as buildCrl's encoder of CrlEntry[] for the same entries
 * (revoked-certificates-encoder.spec.ts) and rejects the same input: bad or duplicate serials,
 * unknown reasons, removeFromCRL in a complete CRL, times DER cannot hold.
 */
export class RevokedCertificatesEncoder {
  private readonly chunks: Uint8Array[] = [];
  private readonly chunkBytes: number;
  private buf: Buffer;
  private o = 0;
  private n = 0;
  private done = 0;
  private readonly serials = new SerialSet();

  constructor(private readonly options: RevokedCertificatesEncoderOptions) {
    this.chunkBytes = Math.max(options.chunkBytes ?? 1 << 20, MAX_ENTRY_BYTES);
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.serials.chunks.push(this.buf);
  }

  get count(): number {
    return this.n;
  }

  /**
   * One entry: `serial` as stored (hex, any case, leading zeros allowed), `revokedAtSeconds` whole
   * seconds since the epoch (UTC; the same whole second a Date of that instant gives).
   */
  add(serial: string, revokedAtSeconds: number, reason?: ReasonCode | null): void {
    const field = `entries[${this.n}]`;
    if (this.buf.length - this.o < MAX_ENTRY_BYTES) this.nextChunk();
    const start = this.o;
    const out = this.buf;
    let o = start + 2; // entry SEQUENCE header, length filled in below
    o = this.writeSerial(out, o, serial, field);
    o = writeTime(out, o, revokedAtSeconds, false, `${field}.revokedAt`);
    if (reason !== undefined && reason !== null) {
      const ext = this.reasonExtension(reason, field);
      if (ext) {
        out[o] = 0x30;
        out[o + 1] = ext.length;
        out.set(ext, o + 2);
        o += 2 + ext.length;
      }
    }
    out[start] = 0x30;
    out[start + 1] = o - start - 2;
    this.o = o;
    this.n++;
  }

  /** A CrlEntry as buildCrl takes it (every field, invalidityDate and holdInstruction included). */
  addEntry(e: CrlEntry): void {
    const field = `entries[${this.n}]`;
    const serial = typeof e.serial === 'string' ? e.serial : e.serial instanceof Uint8Array && e.serial.length > 0 ? Buffer.from(e.serial.buffer, e.serial.byteOffset, e.serial.length).toString('hex') : '';
    if (serial === '') throw new RevocationInputError(`${field}.serial`, 'serial must be non-empty bytes or hex', '证书序列号格式错误');
    const revokedAt = secondsOf(e.revokedAt, `${field}.revokedAt`);
    if (e.invalidityDate === undefined && e.holdInstruction === undefined) return this.add(serial, revokedAt, e.reason);

    const reasonExt = e.reason === undefined ? undefined : this.reasonExtension(e.reason, field);
    const invalidity = e.invalidityDate === undefined ? undefined : secondsOf(e.invalidityDate, `${field}.invalidityDate`);
    let hold: Uint8Array | undefined;
    if (e.holdInstruction !== undefined) {
      hold = e.reason === 'certificateHold' ? HOLD_EXTENSIONS[e.holdInstruction] : undefined;
      if (!hold) throw new RevocationInputError(`${field}.holdInstruction`, 'hold instruction needs reason certificateHold and a known instruction');
    }
    if (this.buf.length - this.o < MAX_ENTRY_BYTES) this.nextChunk();
    const start = this.o;
    const out = this.buf;
    let o = this.writeSerial(out, start + 2, serial, field);
    o = writeTime(out, o, revokedAt, false, `${field}.revokedAt`);
    const extLength = (reasonExt?.length ?? 0) + (invalidity === undefined ? 0 : INVALIDITY_EXTENSION_SIZE) + (hold?.length ?? 0);
    out[o++] = 0x30;
    out[o++] = extLength;
    if (reasonExt) {
      out.set(reasonExt, o);
      o += reasonExt.length;
    }
    if (invalidity !== undefined) {
      out.set(INVALIDITY_PREFIX, o);
      o = writeTime(out, o + INVALIDITY_PREFIX.length, invalidity, true, `${field}.invalidityDate`);
    }
    if (hold) {
      out.set(hold, o);
      o += hold.length;
    }
    out[start] = 0x30;
    out[start + 1] = o - start - 2;
    this.o = o;
    this.n++;
  }

  /** The entries so far; the encoder takes no more after this. */
  finish(): EncodedRevokedCertificates {
    if (this.o > 0) this.chunks.push(this.buf.subarray(0, this.o));
    this.o = 0;
    this.buf = Buffer.alloc(0);
    this.done++;
    let contentLength = 0;
    for (const c of this.chunks) contentLength += c.length;
    return { count: this.n, contentLength, chunks: this.chunks };
  }

  private nextChunk(): void {
    if (this.done) throw new Error('RevokedCertificatesEncoder: add after finish');
    if (this.o > 0) this.chunks.push(this.buf.subarray(0, this.o));
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.serials.chunks.push(this.buf);
    this.o = 0;
  }

  /** The reasonCode extension to write, or undefined for `unspecified` (RFC 5280 §5.3.1: omitted). */
  private reasonExtension(reason: ReasonCode, field: string): Uint8Array | undefined {
    const ext = REASON_EXTENSIONS.get(reason);
    if (!ext || !isReasonCode(reason)) throw new RevocationInputError(`${field}.reason`, `unknown reason ${String(reason)}`);
    if (reason === 'removeFromCRL' && !this.options.delta) {
      throw new RevocationInputError(`${field}.reason`, 'removeFromCRL is only allowed in delta CRLs (RFC 5280 §5.3.1)');
    }
    return reason === 'unspecified' ? undefined : ext;
  }

  /** INTEGER of a hex serial (leading zeros dropped, a 0x00 added before a high bit), written at `o`. */
  private writeSerial(out: Buffer, o: number, serial: string, field: string): number {
    const len = serial.length;
    let first = 0;
    while (first < len && serial.charCodeAt(first) === 0x30) first++;
    const digits = len - first;
    const odd = digits & 1;
    const pad = !odd && digits > 0 && NIBBLE[serial.charCodeAt(first)]! >= 8 ? 1 : 0;
    const content = ((digits + 1) >> 1) + pad;
    if (len === 0 || content > MAX_SERIAL_OCTETS || digits === 0) {
      // The checks in serialIntegerContent's order: not hex, too long, zero.
      if (len === 0 || !isHex(serial, first)) throw new RevocationInputError(`${field}.serial`, 'serial must be non-empty hex', '证书序列号格式错误');
      if (digits > 0) throw new RevocationInputError(`${field}.serial`, `serial longer than ${MAX_SERIAL_OCTETS} octets`, '证书序列号过长');
      throw new RevocationInputError(`${field}.serial`, 'serial must be positive', '证书序列号必须为正数');
    }
    out[o++] = 0x02;
    out[o++] = content;
    const at = o;
    if (pad) out[o++] = 0;
    // Decoded and checked in one pass; a bad digit leaves junk past the last entry, never in it.
    let i = first;
    let bad = 0;
    if (odd) {
      const v = NIBBLE[serial.charCodeAt(i++)]!;
      bad |= v;
      out[o++] = v;
    }
    for (; i < len; i += 2) {
      const hi = NIBBLE[serial.charCodeAt(i)]!;
      const lo = NIBBLE[serial.charCodeAt(i + 1)]!;
      bad |= hi | lo;
      out[o++] = (hi << 4) | lo;
    }
    if (bad < 0) throw new RevocationInputError(`${field}.serial`, 'serial must be non-empty hex', '证书序列号格式错误');
    // Equal integers have equal DER content: compare what was just written.
    if (!this.serials.add(this.serials.chunks.length - 1, at, content)) {
      throw new RevocationInputError(`${field}.serial`, 'serial listed twice', 'CRL 中证书序列号重复');
    }
    return o;
  }
}

function isHex(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (NIBBLE[s.charCodeAt(i)]! < 0) return false;
  return true;
}

/**
 * The serials written so far, by where their INTEGER content sits in the chunks: an open-addressing
 * table of (chunk, offset) over FNV-1a of the bytes. A Set of a million serial strings cost more
 * than a second of the build; this is a few dozen ns per entry and 12 bytes per slot.
 */
class SerialSet {
  readonly chunks: Uint8Array[] = [];
  private mask = (1 << 16) - 1;
  private size = 0;
  /** Per slot: chunk index + 1 (0 = empty), offset of the content, its hash. */
  private chunkOf = new Int32Array(this.mask + 1);
  private offsetOf = new Int32Array(this.mask + 1);
  private hashOf = new Int32Array(this.mask + 1);

  /** False when an equal serial is already in. */
  add(chunk: number, offset: number, length: number): boolean {
    const bytes = this.chunks[chunk]!;
    let h = 0x811c9dc5 ^ length;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[offset + i]!, 0x01000193);
    const chunkOf = this.chunkOf;
    let slot = h & this.mask;
    for (;;) {
      const c = chunkOf[slot]!;
      if (c === 0) break;
      if (this.hashOf[slot] === h && this.equal(c - 1, this.offsetOf[slot]!, bytes, offset, length)) return false;
      slot = (slot + 1) & this.mask;
    }
    chunkOf[slot] = chunk + 1;
    this.offsetOf[slot] = offset;
    this.hashOf[slot] = h;
    if (++this.size * 2 > this.mask) this.grow();
    return true;
  }

  private equal(chunk: number, offset: number, bytes: Uint8Array, at: number, length: number): boolean {
    const other = this.chunks[chunk]!;
    if (other[offset - 1] !== length) return false; // the INTEGER's length byte
    for (let i = 0; i < length; i++) if (other[offset + i] !== bytes[at + i]) return false;
    return true;
  }

  private grow(): void {
    const [chunkOf, offsetOf, hashOf] = [this.chunkOf, this.offsetOf, this.hashOf];
    this.mask = this.mask * 2 + 1;
    this.chunkOf = new Int32Array(this.mask + 1);
    this.offsetOf = new Int32Array(this.mask + 1);
    this.hashOf = new Int32Array(this.mask + 1);
    for (let i = 0; i < chunkOf.length; i++) {
      if (chunkOf[i] === 0) continue;
      let slot = hashOf[i]! & this.mask;
      while (this.chunkOf[slot] !== 0) slot = (slot + 1) & this.mask;
      this.chunkOf[slot] = chunkOf[i]!;
      this.offsetOf[slot] = offsetOf[i]!;
      this.hashOf[slot] = hashOf[i]!;
    }
  }
}

function secondsOf(d: Date, field: string): number {
  const ms = d instanceof Date ? d.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RevocationInputError(field, 'invalid date');
  return Math.floor(ms / 1000);
}

/**
 * RFC 5280 Time of a whole second since the epoch: UTCTime for 1950–2049, else GeneralizedTime
 * (always GeneralizedTime when `generalized`). Days to civil date: H. Hinnant's algorithm, exact
 * for the proleptic Gregorian calendar that Date uses.
 */
function writeTime(out: Buffer, o: number, seconds: number, generalized: boolean, field: string): number {
  if (!Number.isInteger(seconds)) throw new RevocationInputError(field, 'invalid date');
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new RangeError(`Date cannot be encoded: ${new Date(seconds * 1000).toISOString()}`);
  const days = Math.floor(seconds / 86_400);
  let sod = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(sod / 3600);
  sod -= hour * 3600;
  const minute = Math.floor(sod / 60);
  const second = sod - minute * 60;
  if (!generalized && year >= 1950 && year < 2050) {
    out[o] = 0x17;
    out[o + 1] = 13;
    o = two(out, o + 2, year % 100);
  } else {
    out[o] = 0x18;
    out[o + 1] = 15;
    o = two(out, two(out, o + 2, Math.floor(year / 100)), year % 100);
  }
  o = two(out, two(out, two(out, two(out, two(out, o, month), day), hour), minute), second);
  out[o] = 0x5a; // 'Z'
  return o + 1;
}

function two(out: Buffer, o: number, v: number): number {
  out[o] = TWO_DIGITS[2 * v]!;
  out[o + 1] = TWO_DIGITS[2 * v + 1]!;
  return o + 2;
}
