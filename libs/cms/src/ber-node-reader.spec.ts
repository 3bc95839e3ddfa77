import { describe, expect, it } from 'vitest';
import { CmsError } from './cms-error';
import { octetStringContent, readBer } from './ber-node-reader';

const h = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('readBer', () => {
  it('reads indefinite lengths and keeps each element’s received bytes', () => {
    const node = readBer(h('3080' + '020101' + 'a080' + '0401aa' + '0000' + '0000'));
    expect(node.children).toHaveLength(2); // end-of-contents markers are not children
    expect(Buffer.from(node.children[0]!.raw).toString('hex')).toBe('020101');
    expect(node.children[1]!.tagClass).toBe(2);
    expect(Buffer.from(node.children[1]!.raw).toString('hex')).toBe('a0800401aa0000');
  });

  it('joins a constructed (BER) OCTET STRING', () => {
    const node = readBer(h('2480' + '0402aabb' + '0401cc' + '0000'));
    expect(Buffer.from(octetStringContent(node)).toString('hex')).toBe('aabbcc');
  });

  it('decodes OIDs and refuses trailing bytes, truncation and empty input', () => {
    expect(readBer(h('06092a864886f70d010702')).oid).toBe('1.2.840.113549.1.7.2');
    for (const bad of ['300302010100', '3005020101', '']) {
      expect(() => readBer(h(bad))).toThrow(CmsError);
    }
  });
});
