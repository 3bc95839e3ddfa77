/**
 * The streaming encoder (CrlGenerator's path) against buildCrl's encoder of CrlEntry[]: the same
 * TBSCertList byte for byte for thousands of random entries, and the same input rejected.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { buildCrl, encodeTbsCertList, type BuildCrlInput, type CrlEntry, type HoldInstruction } from './crl-builder';
import { derOid, derSequence, derTlv } from '../der/der-writer';
import { REASON_CODES, type ReasonCode } from './revocation-reason';
import { RevocationInputError } from './revocation-input-error';
import { RevokedCertificatesEncoder } from './revoked-certificates-encoder';
import { generateP256Signer } from './test-signer.spec-helper';

const signer = generateP256Signer();
const issuerName = derSequence(derTlv(0x31, derSequence(derOid('2.5.4.3'), derTlv(0x0c, Buffer.from('Encoder CA 测试', 'utf8')))));
const T0 = new Date('2026-03-01T08:00:00Z');
const base = (over: Partial<BuildCrlInput>): BuildCrlInput => ({
  issuerName,
  issuerSpki: signer.spki,
  signer,
  crlNumber: 7n,
  thisUpdate: T0,
  nextUpdate: new Date(T0.getTime() + 86_400_000),
  entries: [],
  ...over,
});

/** Deterministic PRNG (mulberry32): a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const REASONS = Object.keys(REASON_CODES) as ReasonCode[];
const YEAR_MS = 365.2425 * 86_400_000;
/** Instants around the UTCTime/GeneralizedTime switches and the ends of what DER can hold. */
const EDGES = ['1949-12-31T23:59:59.999Z', '1950-01-01T00:00:00Z', '2049-12-31T23:59:59.999Z', '2050-01-01T00:00:00Z', '1969-12-31T23:59:59.500Z', '1970-01-01T00:00:00Z', '2000-02-29T12:34:56Z', '2100-02-28T23:59:59Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z'].map((s) => new Date(s));

function randomEntries(count: number, delta: boolean, seed: number): CrlEntry[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const used = new Set<string>();
  const out: CrlEntry[] = [];
  while (out.length < count) {
    // 1..20 magnitude bytes, some with leading zero bytes, some with the high bit set.
    const length = 1 + int(20);
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = int(256);
    if (rnd() < 0.2) bytes[0] = 0;
    if (rnd() < 0.3) bytes[Math.min(length - 1, bytes[0] === 0 ? 1 : 0)]! |= 0x80;
    let start = 0;
    while (start < length - 1 && bytes[start] === 0) start++;
    const magnitude = bytes.subarray(start);
    if ((magnitude.length === 1 && magnitude[0] === 0) || magnitude.length + (magnitude[0]! & 0x80 ? 1 : 0) > 20) continue;
    const key = magnitude.toString('hex');
    if (used.has(key)) continue;
    used.add(key);
    let hex = bytes.toString('hex');
    if (rnd() < 0.2 && hex.startsWith('0')) hex = hex.slice(1); // odd length
    if (rnd() < 0.2) hex = hex.toUpperCase();
    if (rnd() < 0.1) hex = `00${hex}`;
    const serial = rnd() < 0.15 ? new Uint8Array(bytes) : hex;

    const revokedAt = rnd() < 0.05 ? EDGES[int(EDGES.length)]! : new Date(Date.UTC(1930, 0, 1) + Math.floor(rnd() * 150 * YEAR_MS));
    const roll = rnd();
    let reason: ReasonCode | undefined = roll < 0.1 ? undefined : REASONS[int(REASONS.length)];
    if (reason === 'removeFromCRL' && !delta) reason = 'keyCompromise';
    const e: CrlEntry = { serial, revokedAt, reason };
    if (reason === 'certificateHold' && rnd() < 0.5) e.holdInstruction = (['callIssuer', 'reject'] as HoldInstruction[])[int(2)];
    if (rnd() < 0.1 && revokedAt.getUTCFullYear() > 0) e.invalidityDate = new Date(revokedAt.getTime() - Math.floor(rnd() * 86_400_000 * 30));
    out.push(e);
  }
  return out;
}

/** Through the encoder: `add` (the generator's row path) where the entry allows it, else `addEntry`. */
function encode(entries: readonly CrlEntry[], delta: boolean, chunkBytes?: number) {
  const encoder = new RevokedCertificatesEncoder({ delta, chunkBytes });
  for (const e of entries) {
    if (typeof e.serial === 'string' && e.invalidityDate === undefined && e.holdInstruction === undefined) {
      encoder.add(e.serial, Math.floor(e.revokedAt.getTime() / 1000), e.reason);
    } else encoder.addEntry(e);
  }
  return encoder.finish();
}

describe('RevokedCertificatesEncoder', () => {
  it.each([
    ['complete', false, 1],
    ['delta', true, 2],
    ['complete, small chunks', false, 3],
  ])('gives buildCrl the same TBSCertList bytes as its CrlEntry encoder (%s, 4,000 random entries)', (_name, delta, seed) => {
    const entries = randomEntries(4000, delta, seed);
    const deltaOf = delta ? 5n : undefined;
    const expected = encodeTbsCertList(base({ entries, deltaOf }));
    const revoked = encode(entries, delta, seed === 3 ? 200 : undefined);
    expect(revoked.count).toBe(entries.length);
    if (seed === 3) expect(revoked.chunks.length).toBeGreaterThan(100);
    const actual = encodeTbsCertList(base({ revokedCertificates: revoked, deltaOf }));
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
  });

  it('covers what the random entries are meant to: both time forms, every reason, hold instructions, sign bytes', () => {
    const entries = randomEntries(4000, true, 2);
    const years = entries.map((e) => e.revokedAt.getUTCFullYear());
    expect(years.some((y) => y < 1950)).toBe(true);
    expect(years.some((y) => y >= 2050)).toBe(true);
    expect(new Set(entries.map((e) => e.reason))).toEqual(new Set([...REASONS, undefined]));
    expect(entries.some((e) => e.holdInstruction) && entries.some((e) => e.invalidityDate)).toBe(true);
    expect(entries.some((e) => typeof e.serial === 'string' && /^[0-7]/.test(e.serial) === false && /^[89a-f]/i.test(e.serial))).toBe(true);
    expect(entries.some((e) => typeof e.serial === 'string' && e.serial.startsWith('00'))).toBe(true);
  });

  it('signs to a CRL that parses with its entries, and no entries means no revokedCertificates', async () => {
    const entries = randomEntries(50, false, 4);
    const list = AsnConvert.parse(await buildCrl(base({ revokedCertificates: encode(entries, false) })), CertificateList);
    expect(list.tbsCertList.revokedCertificates).toHaveLength(50);
    const empty = AsnConvert.parse(await buildCrl(base({ revokedCertificates: encode([], false) })), CertificateList);
    expect(empty.tbsCertList.revokedCertificates).toBeUndefined();
    await expect(buildCrl(base({ entries, revokedCertificates: encode([], false) }))).rejects.toBeInstanceOf(RevocationInputError);
  });

  it('rejects what buildCrl rejects, naming the entry', () => {
    const fieldOf = (f: () => void) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RevocationInputError);
        return (e as RevocationInputError).field;
      }
      throw new Error('did not throw');
    };
    const enc = () => new RevokedCertificatesEncoder({ delta: false });
    const t = 1_780_000_000;
    for (const bad of ['', 'xyz', '0x12', '12 34', '00', '0', 'ff'.repeat(20), '01'.repeat(21)]) {
      expect(fieldOf(() => enc().add(bad, t)), bad).toBe('entries[0].serial');
    }
    expect(() => enc().add('7f'.repeat(20), t)).not.toThrow();
    const e1 = enc();
    e1.add('00A1', t);
    expect(fieldOf(() => e1.add('a1', t))).toBe('entries[1].serial'); // the same integer
    expect(fieldOf(() => enc().add('01', t, 'removeFromCRL'))).toBe('entries[0].reason');
    expect(fieldOf(() => enc().add('01', t, 'nonsense' as ReasonCode))).toBe('entries[0].reason');
    expect(fieldOf(() => enc().add('01', t + 0.5))).toBe('entries[0].revokedAt');
    expect(fieldOf(() => enc().addEntry({ serial: '01', revokedAt: new Date(Number.NaN) }))).toBe('entries[0].revokedAt');
    expect(fieldOf(() => enc().addEntry({ serial: '01', revokedAt: T0, reason: 'keyCompromise', holdInstruction: 'reject' }))).toBe('entries[0].holdInstruction');
    expect(fieldOf(() => enc().addEntry({ serial: new Uint8Array(0), revokedAt: T0 }))).toBe('entries[0].serial');
    expect(() => enc().add('01', -62_167_219_201)).toThrow(RangeError);
    // The same input through buildCrl fails on the same field.
    expect(() => encodeTbsCertList(base({ entries: [{ serial: '00A1', revokedAt: T0 }, { serial: 'a1', revokedAt: T0 }] }))).toThrow(/entries\[1\]\.serial/);
  });
});
