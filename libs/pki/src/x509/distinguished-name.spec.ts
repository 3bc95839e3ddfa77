import { describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { buildName, encodeName, formatName, parseName } from './distinguished-name';
import { X509InputError } from './x509-input-error';

/** [oid, universal tag number, value] per RDN, read back with asn1js (independent of the builder's library). */
function attributes(der: Uint8Array): Array<[string, number, string]> {
  const parsed = asn1js.fromBER(der);
  expect(parsed.offset).toBe(der.length);
  const seq = parsed.result as asn1js.Sequence;
  return seq.valueBlock.value.map((rdn) => {
    const set = rdn as asn1js.Set;
    expect(set.valueBlock.value).toHaveLength(1);
    const atv = set.valueBlock.value[0] as asn1js.Sequence;
    const [type, value] = atv.valueBlock.value as [asn1js.ObjectIdentifier, asn1js.Utf8String];
    return [type.valueBlock.toString(), value.idBlock.tagNumber, value.valueBlock.value];
  });
}

describe('distinguished names', () => {
  it('emits C, ST, L, O, OU, CN in that order, UTF8String values and a PrintableString country', () => {
    const der = encodeName({ CN: '张三', O: '广州市某某科技有限公司', OU: ['人事部', '社保科'], L: '广州市', ST: '广东省', C: 'CN' });
    expect(attributes(der)).toEqual([
      ['2.5.4.6', 19, 'CN'],
      ['2.5.4.8', 12, '广东省'],
      ['2.5.4.7', 12, '广州市'],
      ['2.5.4.10', 12, '广州市某某科技有限公司'],
      ['2.5.4.11', 12, '人事部'],
      ['2.5.4.11', 12, '社保科'],
      ['2.5.4.3', 12, '张三'],
    ]);
  });

  it('renders a readable string in issuance order, or RFC 4514 order on request', () => {
    const der = encodeName({ C: 'CN', ST: '广东省', L: '广州市', O: '某单位', CN: '张三' });
    expect(formatName(der)).toBe('C=CN, ST=广东省, L=广州市, O=某单位, CN=张三');
    expect(formatName(parseName(der), { rfc4514Order: true })).toBe('CN=张三,O=某单位,L=广州市,ST=广东省,C=CN');
  });

  it('escapes separators so a crafted name cannot read as extra attributes', () => {
    const der = encodeName({ O: 'A, CN=admin', CN: '#1 "x"+y' });
    expect(formatName(der)).toBe('O=A\\, CN\\=admin, CN=\\#1 \\"x\\"\\+y');
  });

  it('accepts 64 Chinese characters (the bound counts characters, not bytes) and refuses 65', () => {
    const ok = '单'.repeat(64);
    expect(formatName(encodeName({ O: ok }))).toBe(`O=${ok}`);
    expect(() => buildName({ O: '单'.repeat(65) })).toThrow(X509InputError);
  });

  it('refuses empty, padded, control-character and bad-country values', () => {
    expect(() => buildName({})).toThrow(X509InputError);
    expect(() => buildName({ CN: '' })).toThrow(/CN/);
    expect(() => buildName({ CN: ' 张三' })).toThrow(X509InputError);
    expect(() => buildName({ CN: '张\n三' })).toThrow(X509InputError);
    expect(() => buildName({ C: 'cn' })).toThrow(X509InputError);
    expect(() => buildName({ CN: 'a\uD800b' })).toThrow(X509InputError);
  });

  it('passes DER through unchanged and rejects non-DER', () => {
    const der = encodeName({ C: 'CN', CN: '测试' });
    expect(encodeName(der)).toBe(der);
    expect(() => encodeName(der.subarray(0, der.length - 1))).toThrow(X509InputError);
    expect(() => parseName(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))).toThrow(X509InputError);
  });
});
