import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { isSingleDerElement, toHex } from './der-encoding';
import { X509InputError } from './x509-input-error';

/** The attributes ecert puts into subject/issuer names, always emitted in this order. */
export interface DistinguishedNameInput {
  /** ISO 3166 alpha-2, `CN` for every ecert subject. */
  readonly C?: string;
  /** Province name (省/自治区/直辖市), e.g. 广东省. */
  readonly ST?: string;
  /** City name (地级市), e.g. 广州市. */
  readonly L?: string;
  readonly O?: string;
  readonly OU?: string | readonly string[];
  readonly CN?: string;
}

interface AttributeSpec {
  readonly key: keyof DistinguishedNameInput;
  readonly oid: string;
  /** RFC 5280 upper bound in characters (Appendix A, ub-*). */
  readonly maxChars: number;
}

// C, ST, L, O, OU, CN: the big-endian order OpenSSL and Chinese CAs print and that the spec fixes.
const ORDER: readonly AttributeSpec[] = [
  { key: 'C', oid: '2.5.4.6', maxChars: 2 },
  { key: 'ST', oid: '2.5.4.8', maxChars: 128 },
  { key: 'L', oid: '2.5.4.7', maxChars: 128 },
  { key: 'O', oid: '2.5.4.10', maxChars: 64 },
  { key: 'OU', oid: '2.5.4.11', maxChars: 64 },
  { key: 'CN', oid: '2.5.4.3', maxChars: 64 },
];

/** Short names for rendering; anything else prints as dotted OID with the value as #hex. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.9': 'STREET',
  '2.5.4.12': 'T',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// A lone surrogate cannot be encoded as UTF-8 (String.isWellFormed is not in the ES2023 lib).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkedValue(field: string, value: string, maxChars: number): string {
  if (value.length === 0 || value.trim() !== value) {
    throw new X509InputError(`subject.${field}`, 'empty or has leading/trailing whitespace', `名称字段 ${field} 为空或首尾含空格`);
  }
  if (CONTROL_CHARS.test(value)) {
    throw new X509InputError(`subject.${field}`, 'contains control characters', `名称字段 ${field} 含控制字符`);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new X509InputError(`subject.${field}`, 'contains unpaired surrogates', `名称字段 ${field} 含非法字符`);
  }
  // Characters, not bytes: the ub-* bounds count characters, so a 64-character Chinese unit name fits.
  if ([...value].length > maxChars) {
    throw new X509InputError(`subject.${field}`, `longer than ${maxChars} characters`, `名称字段 ${field} 超过 ${maxChars} 个字符`);
  }
  return value.normalize('NFC');
}

/**
 * Builds an X.501 Name, one attribute per RDN, in the order C, ST, L, O, OU, CN. Values are
 * UTF8String (RFC 5280 §4.1.2.6 "MUST use UTF8String" for new certificates), except countryName,
 * which X.520 defines as PrintableString(SIZE(2)) and which validators check as such.
 */
export function buildName(input: DistinguishedNameInput): Name {
  const rdns: RelativeDistinguishedName[] = [];
  for (const spec of ORDER) {
    const raw = input[spec.key];
    if (raw === undefined) continue;
    const values = typeof raw === 'string' ? [raw] : [...raw];
    for (const v of values) {
      const value = checkedValue(spec.key, v, spec.maxChars);
      let attributeValue: AttributeValue;
      if (spec.key === 'C') {
        if (!/^[A-Z]{2}$/.test(value)) {
          throw new X509InputError('subject.C', 'must be two upper-case letters', '国家代码必须为两位大写字母');
        }
        attributeValue = new AttributeValue({ printableString: value });
      } else {
        attributeValue = new AttributeValue({ utf8String: value });
      }
      rdns.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type: spec.oid, value: attributeValue })]));
    }
  }
  if (rdns.length === 0) {
    throw new X509InputError('subject', 'no attributes', '名称不能为空');
  }
  return new Name(rdns);
}

/** DER of a Name; accepts the structured input, a built Name, or DER (checked and returned as is). */
export function encodeName(name: DistinguishedNameInput | Name | Uint8Array): Uint8Array {
  if (name instanceof Uint8Array) {
    parseName(name);
    return name;
  }
  const built = name instanceof Name ? name : buildName(name);
  return new Uint8Array(AsnConvert.serialize(built));
}

/** Parses Name DER; throws X509InputError on anything that is not exactly one DER Name. */
export function parseName(der: Uint8Array): Name {
  if (!isSingleDerElement(der, 0x30)) {
    throw new X509InputError('name', 'not a single DER SEQUENCE', '名称编码错误');
  }
  try {
    return AsnConvert.parse(der, Name);
  } catch (e) {
    throw new X509InputError('name', `cannot decode: ${(e as Error).message}`, '名称编码错误');
  }
}

// RFC 4514 §2.4 escaping, so a unit name containing "," or "+" cannot be read as two attributes.
function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\u0000/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function renderAttribute(atv: AttributeTypeAndValue): string {
  const type = SHORT_NAMES[atv.type] ?? atv.type;
  const v = atv.value;
  const text = v.utf8String ?? v.printableString ?? v.ia5String ?? v.bmpString ?? v.universalString ?? v.teletexString;
  if (text !== undefined) return `${type}=${escapeValue(text)}`;
  const raw = v.anyValue ? toHex(new Uint8Array(v.anyValue)) : '';
  return `${type}=#${raw}`;
}

export interface FormatNameOptions {
  /** RFC 4514 order (most specific first, CN=...,C=CN). Default: issuance order C=CN, ..., CN=... as OpenSSL prints. */
  readonly rfc4514Order?: boolean;
}

/**
 * Readable one-line form, e.g. `C=CN, ST=广东省, L=广州市, O=某单位, CN=张三`. Values are escaped as
 * in RFC 4514 so the string is unambiguous; it is meant for display and logs, not for matching.
 */
export function formatName(name: Name | Uint8Array, options: FormatNameOptions = {}): string {
  const parsed = name instanceof Uint8Array ? parseName(name) : name;
  const rdns = parsed.map((rdn) => rdn.map(renderAttribute).join(' + '));
  if (options.rfc4514Order) return rdns.reverse().join(',');
  return rdns.join(', ');
}
