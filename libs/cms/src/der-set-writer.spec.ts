import { describe, expect, it } from 'vitest';
import { derSetOf } from './der-set-writer';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const h = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('derSetOf', () => {
  it('orders the elements by their encodings (X.690 §11.6), a prefix first', () => {
    expect(hex(derSetOf([h('0401ff'), h('020105'), h('0400'), h('04020000')]))).toBe('310c' + '020105' + '0400' + '0401ff' + '04020000');
  });

  it('writes another tag for [1] IMPLICIT and leaves the input untouched', () => {
    const input = [h('0500'), h('0101ff')];
    expect(hex(derSetOf(input, 0xa1))).toBe('a1050101ff0500');
    expect(input.map(hex)).toEqual(['0500', '0101ff']);
  });
});
