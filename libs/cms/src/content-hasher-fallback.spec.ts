import { describe, expect, it, vi } from 'vitest';

// Without an OpenSSL SM3 the hasher falls back to the project's sm3() (sm-crypto-v2).
vi.mock('@ecert/pki', async (importOriginal) => {
  const pki = await importOriginal<typeof import('@ecert/pki')>();
  return { ...pki, SM3_IS_NATIVE: false, sm3: vi.fn(pki.sm3) };
});

describe('createContentHasher without a native SM3', () => {
  it('still gives the GM/T 0004 vectors, chunked', async () => {
    const { createContentHasher } = await import('./content-hasher');
    const { sm3 } = await import('@ecert/pki');
    const h = createContentHasher('sm3');
    const buf = new TextEncoder().encode('abcd'.repeat(16));
    const reused = buf.slice(0, 10);
    h.update(reused);
    reused.fill(0); // the caller reuses its buffer: the hasher must have copied it
    h.update(buf.subarray(10));
    expect(Buffer.from(h.digest()).toString('hex')).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
    expect(sm3).toHaveBeenCalledTimes(1);
    expect(Buffer.from(sm3(new TextEncoder().encode('abc'))).toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
});
