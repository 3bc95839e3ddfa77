/**
 * Shared set-up for the property-based fuzz specs (`*.fuzz.spec.ts`, issue 14): run counts, the
 * seed, byte mutations of valid inputs, and the one property every parser must keep — it returns,
 * or throws only its own typed error, and does so quickly.
 *
 * FUZZ_RUNS=20000 for a long local run; FUZZ_SEED=random (or a number) to leave the fixed CI seed.
 * A failure prints fast-check's seed and path, so `FUZZ_SEED=<seed>` replays it.
 */
import fc from 'fast-check';

const envRuns = Number(process.env['FUZZ_RUNS']);
const envSeed = process.env['FUZZ_SEED'];

/** `base` runs per property unless FUZZ_RUNS says otherwise (sized for a loaded 2-core CI box). */
export function fuzzRuns(base: number): number {
  return Number.isFinite(envRuns) && envRuns > 0 ? Math.floor(envRuns * (base / 1000)) || 1 : base;
}

/** Fixed by default so CI is reproducible; FUZZ_SEED=random picks one (printed on failure). */
export function fuzzSeed(): number | undefined {
  if (envSeed === 'random') return undefined;
  if (envSeed && Number.isFinite(Number(envSeed))) return Number(envSeed);
  return 0x14_ec_e7; // issue 14
}

export function fuzzParams(base: number): fc.Parameters<unknown> {
  const seed = fuzzSeed();
  return { numRuns: fuzzRuns(base), ...(seed === undefined ? {} : { seed }), endOnFailure: false };
}

/**
 * A generous per-case bound: a hang (an unbounded loop, quadratic blow-up on a crafted length)
 * shows up as seconds, while a loaded CI box rarely stretches an honest parse past ~100 ms.
 */
export const CASE_BOUND_MS = Number(process.env['FUZZ_CASE_MS']) || 1_000;

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The property: `run(input)` returns or throws an instance of one of `allowed`; anything else
 * (TypeError, RangeError, a library's raw error) is a crash, and a slow case is a hang.
 */
export function expectOnlyTyped(run: () => unknown, allowed: readonly ErrorClass[], bound = CASE_BOUND_MS): void {
  const started = performance.now();
  try {
    run();
  } catch (e) {
    if (!allowed.some((c) => e instanceof c)) {
      const err = e as Error;
      throw new Error(`untyped ${err?.name ?? typeof e}: ${err?.message ?? String(e)}\n${err?.stack ?? ''}`);
    }
  }
  const elapsed = performance.now() - started;
  if (elapsed > bound) throw new Error(`took ${elapsed.toFixed(0)} ms (> ${bound} ms)`);
}

/** Same for async parsers (seal/signature verification). */
export async function expectOnlyTypedAsync(run: () => Promise<unknown>, allowed: readonly ErrorClass[], bound = CASE_BOUND_MS): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (e) {
    if (!allowed.some((c) => e instanceof c)) {
      const err = e as Error;
      throw new Error(`untyped ${err?.name ?? typeof e}: ${err?.message ?? String(e)}\n${err?.stack ?? ''}`);
    }
  }
  const elapsed = performance.now() - started;
  if (elapsed > bound) throw new Error(`took ${elapsed.toFixed(0)} ms (> ${bound} ms)`);
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; at: number; count: number }
  | { kind: 'length'; at: number; value: number };

/** Positions are fractions of the input so one mutation list fits any input. */
const position = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

// Values that hit boundaries in length and tag handling: short/long-form markers, sign bits, 0/ff.
const interesting = fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x89, 0xff, 0x30, 0x31, 0x04, 0x02, 0x03, 0xa0, 0x0a, 0x0d, 0x25);

const mutation: fc.Arbitrary<{ kind: Mutation['kind']; p: number; n: number; bytes: Uint8Array }> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('flip', 'set', 'set', 'truncate', 'insert', 'delete', 'duplicate', 'length', 'length'),
  p: position,
  n: fc.oneof(interesting, fc.integer({ min: 0, max: 255 })),
  bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.uint8Array({ minLength: 1, maxLength: 300 })),
});

function apply(input: Uint8Array, m: { kind: Mutation['kind']; p: number; n: number; bytes: Uint8Array }): Uint8Array {
  if (input.length === 0) return m.kind === 'insert' ? m.bytes.slice() : input;
  const at = Math.floor(m.p * input.length);
  switch (m.kind) {
    case 'flip': {
      const out = input.slice();
      out[at] = out[at]! ^ (1 << (m.n & 7));
      return out;
    }
    case 'set': {
      const out = input.slice();
      out[at] = m.n;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert':
      return concat(input.subarray(0, at), m.bytes, input.subarray(at));
    case 'delete':
      return concat(input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + (m.n & 15))));
    case 'duplicate':
      return concat(input.subarray(0, at), input.subarray(at, at + 1 + m.n), input.subarray(at));
    case 'length': {
      // Rewrite the byte after something that looks like a tag as a (long-form) length: DER's
      // weak spot, and PNG/JPEG segment lengths sit in the same kind of place.
      const out = input.slice();
      const i = Math.min(at + 1, out.length - 1);
      out[i] = m.n;
      if (m.n >= 0x81 && m.n <= 0x84 && i + 1 < out.length) out[i + 1] = m.bytes[0]!;
      return out;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** 1..`max` stacked mutations of one of the valid `seeds`. */
export function mutationsOf(seeds: readonly Uint8Array[], max = 4): fc.Arbitrary<Uint8Array> {
  // Plain copies: Buffer#slice shares memory, so mutating a Buffer seed "copy" would corrupt the seed.
  const plain = seeds.map((s) => new Uint8Array(s));
  return fc
    .tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: max }))
    .map(([i, ms]) => ms.reduce(apply, plain[i]!));
}

/** Random bytes, sometimes behind a plausible prefix (a DER SEQUENCE header, a file signature). */
export function bytesAfter(prefixes: readonly Uint8Array[], maxLength = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength })).map(([p, b]) => concat(p, b)),
  );
}

/** Hex of a failing input, for turning a found case into a regression fixture. */
export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
