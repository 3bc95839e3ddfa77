import {
  TAG,
  childrenOf,
  newDecodeContext,
  readBitString,
  readOctetString,
  readSingleNode,
  readSmallInteger,
  readString,
  sequenceChildren,
  type DecodeContext,
  type DerNode,
} from './der/der-reader';
import { derGeneralizedTime, derUtcTime, parseTimeText, readTime } from './der/der-time';
import { concatBytes, derBitString, derExplicit, derIa5String, derInteger, derOctetString, derSequence, derTlv } from './der/der-writer';
import { decodeExtDatasAnyForm, encodeExtDatasAnyForm } from './ext-datas-codec';
import { decodeSealNode } from './seal-codec';
import { SesDecodeError, asInputError } from './ses-errors';
import type { DecodedSeal, DecodedSesSignature, SealVersion, SesSignature, SesTbsSign } from './ses-model';
import { decodeSignatureAlgorithm, encodeSignatureAlgorithm } from './signature-algorithm-codec';

export interface DecodeSesSignatureOptions {
  readonly expectedVersion?: SealVersion;
}

/**
 * Decodes an SES_Signature of either version (v1: 2 fields, v4: 4 or 5), keeping TBS_Sign and the
 * embedded seal as received. Accepts the known producer variants: extDatas untagged or [0]
 * EXPLICIT/IMPLICIT, timeStamp [0] EXPLICIT or IMPLICIT, OCTET STRING instead of BIT STRING for
 * v1 timeInfo/dataHash, and any time text in v1 timeInfo.
 */
export function decodeSesSignature(der: Uint8Array, options: DecodeSesSignatureOptions = {}): DecodedSesSignature {
  const ctx = newDecodeContext();
  const path = 'SES_Signature';
  const node = readSingleNode(der, path, ctx);
  const f = sequenceChildren(node, path, 'SES_Signature', ctx);
  const version = signatureLayout(f, path, ctx);
  if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
    throw new SesDecodeError('UNSUPPORTED_VERSION', path, `a v${version} signature where v${options.expectedVersion} is required`);
  }
  const tbsPath = `${path}.toSign`;
  const tbsNode = f[0]!;
  const t = sequenceChildren(tbsNode, tbsPath, 'TBS_Sign', ctx);
  const tbsVersion = readSmallInteger(t[0], `${tbsPath}.version`, 'version');
  const sealNode = t[1];
  if (!sealNode) throw new SesDecodeError('UNEXPECTED_STRUCTURE', `${tbsPath}.eseal`, 'embedded seal is missing');
  const sealCtx = newDecodeContext();
  const seal = decodeSealNode(sealNode, `${tbsPath}.eseal`, sealCtx);
  ctx.warnings.push(...sealCtx.warnings);
  if (seal.version !== version) ctx.warnings.push(`${path}: a v${version} signature embeds a v${seal.version} seal`);

  let toSign: SesTbsSign;
  let cert: Uint8Array;
  let alg: ReturnType<typeof decodeSignatureAlgorithm>;
  let signature: Uint8Array;
  let timeStamp: Uint8Array | undefined;
  let timeStampForm: 'explicit' | 'implicit' | undefined;

  if (version === 4) {
    toSign = tbsSignV4Fields(t, tbsVersion, seal.der, tbsPath, ctx);
    cert = readOctetString(f[1], `${path}.cert`, 'cert');
    alg = decodeSignatureAlgorithm(f[2], `${path}.signatureAlgID`, ctx);
    signature = readBitString(f[3], `${path}.signature`, 'signature');
    if (f[4]) ({ timeStamp, form: timeStampForm } = readTimeStamp(f[4], `${path}.timeStamp`, ctx));
  } else {
    if (t.length !== 7) throw new SesDecodeError('UNEXPECTED_STRUCTURE', tbsPath, `v1 TBS_Sign has ${t.length} fields, 7 expected`);
    const timeInfoBits = readHashBits(t[2]!, `${tbsPath}.timeInfo`, ctx);
    const timeInfo = parseV1TimeInfo(timeInfoBits, `${tbsPath}.timeInfo`, ctx);
    toSign = {
      version: tbsVersion,
      sealDer: seal.der,
      ...(timeInfo ? { timeInfo } : {}),
      timeInfoBits,
      dataHash: readHashBits(t[3]!, `${tbsPath}.dataHash`, ctx),
      propertyInfo: readString(t[4], `${tbsPath}.propertyInfo`, 'propertyInfo', [TAG.IA5_STRING], ctx),
    };
    cert = readOctetString(t[5], `${tbsPath}.cert`, 'cert');
    alg = decodeSignatureAlgorithm(t[6], `${tbsPath}.signatureAlgorithm`, ctx);
    signature = readBitString(f[1], `${path}.signature`, 'signature');
  }
  return {
    version,
    toSign,
    cert,
    signatureAlgorithmOid: alg.oid,
    signatureAlgorithmForm: alg.form,
    signature,
    ...(timeStamp ? { timeStamp, timeStampForm } : {}),
    der: node.tlv.slice(),
    tbsDer: tbsNode.tlv.slice(),
    seal,
    warnings: [...ctx.warnings],
  };
}

function tbsSignV4Fields(t: readonly DerNode[], version: number, sealDer: Uint8Array, tbsPath: string, ctx: DecodeContext): SesTbsSign {
  if (t.length < 5) throw new SesDecodeError('UNEXPECTED_STRUCTURE', tbsPath, `TBS_Sign has ${t.length} fields, at least 5 expected`);
  const timeInfo = readTime(t[2], `${tbsPath}.timeInfo`, 'timeInfo', ctx);
  const dataHash = readHashBits(t[3]!, `${tbsPath}.dataHash`, ctx);
  const propertyInfo = readString(t[4], `${tbsPath}.propertyInfo`, 'propertyInfo', [TAG.IA5_STRING], ctx);
  let ext: ReturnType<typeof decodeExtDatasAnyForm> | undefined;
  if (t[5]) ext = decodeExtDatasAnyForm(t[5], `${tbsPath}.extDatas`, ctx);
  if (t.length > 6) ctx.warnings.push(`${tbsPath}: ${t.length - 6} unknown trailing field(s) ignored`);
  return {
    version,
    sealDer,
    timeInfo,
    dataHash,
    propertyInfo,
    ...(ext ? { extDatas: ext.list, extDatasForm: ext.form } : {}),
  };
}

/** A v4 TBS_Sign on its own (what a signer is asked to sign), with its embedded seal decoded. */
export interface DecodedTbsSignV4 {
  readonly toSign: SesTbsSign;
  readonly seal: DecodedSeal;
  readonly der: Uint8Array;
  readonly warnings: readonly string[];
}

/**
 * Decodes bytes that claim to be a GB/T 38540 v4 TBS_Sign: one element, version 4, a v4 seal,
 * GeneralizedTime, BIT STRING dataHash, IA5String propertyInfo, optional extDatas. Throws
 * SesDecodeError otherwise. Tolerances of decodeSesSignature apply; callers that must be strict
 * (a signer deciding whether to sign) compare `warnings` and re-encode.
 */
export function decodeTbsSignV4(der: Uint8Array): DecodedTbsSignV4 {
  const ctx = newDecodeContext();
  const path = 'TBS_Sign';
  const node = readSingleNode(der, path, ctx);
  const t = sequenceChildren(node, path, 'TBS_Sign', ctx);
  const version = readSmallInteger(t[0], `${path}.version`, 'version');
  if (version !== 4) throw new SesDecodeError('UNSUPPORTED_VERSION', `${path}.version`, `version ${version}, 4 expected`);
  if (!t[1]) throw new SesDecodeError('UNEXPECTED_STRUCTURE', `${path}.eseal`, 'embedded seal is missing');
  const sealCtx = newDecodeContext();
  const seal = decodeSealNode(t[1], `${path}.eseal`, sealCtx);
  if (seal.version !== 4) throw new SesDecodeError('UNSUPPORTED_VERSION', `${path}.eseal`, `a v${seal.version} seal, v4 expected`);
  const toSign = tbsSignV4Fields(t, version, seal.der, path, ctx);
  return { toSign, seal, der: node.tlv.slice(), warnings: [...sealCtx.warnings, ...ctx.warnings] };
}

function signatureLayout(f: readonly DerNode[], path: string, ctx: DecodeContext): SealVersion {
  const first = f[0];
  if (first?.tag !== TAG.SEQUENCE) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, 'TBS_Sign SEQUENCE expected first');
  const inner = childrenOf(first, `${path}.toSign`, ctx);
  if (inner[0]?.tag === TAG.SEQUENCE) {
    throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, 'this is an SES_Seal (it starts with SES_SealInfo), not an SES_Signature');
  }
  if (f.length === 2) return 1;
  if (f.length === 4 || f.length === 5) return 4;
  throw new SesDecodeError(
    'UNSUPPORTED_VERSION',
    path,
    `SES_Signature has ${f.length} fields: neither GM/T 0031 v1 (2 fields) nor GB/T 38540 v4 (4 or 5 fields)`,
  );
}

/** BIT STRING per the standards; OCTET STRING is what some v1 producers wrote. */
function readHashBits(node: DerNode, path: string, ctx: DecodeContext): Uint8Array {
  if (node.tag === TAG.OCTET_STRING) {
    ctx.warnings.push(`${path}: OCTET STRING instead of BIT STRING, accepted`);
    return node.content.slice();
  }
  return readBitString(node, path, 'BIT STRING');
}

function readTimeStamp(node: DerNode, path: string, ctx: DecodeContext): { timeStamp: Uint8Array; form: 'explicit' | 'implicit' } {
  if (node.tag === 0xa0) {
    const inner = childrenOf(node, path, ctx);
    if (inner.length !== 1) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, '[0] timeStamp must hold one BIT STRING');
    return { timeStamp: readBitString(inner[0], path, 'timeStamp'), form: 'explicit' };
  }
  if (node.tag === 0x80) {
    const c = node.content;
    if (c.length === 0 || c[0] !== 0) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, 'malformed [0] IMPLICIT BIT STRING timeStamp');
    return { timeStamp: c.slice(1), form: 'implicit' };
  }
  throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `timeStamp [0] expected, found tag 0x${node.tag.toString(16)}`);
}

const CHINA_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * v1 timeInfo is "a timestamp or a UTCTime" inside a BIT STRING. Seen in the wild: a DER UTCTime
 * element, bare UTCTime/GeneralizedTime text, and "yyyy-MM-dd HH:mm:ss" local (Beijing) time.
 * undefined when none of these (e.g. an RFC 3161 token, which this library does not parse).
 */
function parseV1TimeInfo(bits: Uint8Array, path: string, ctx: DecodeContext): Date | undefined {
  if ((bits[0] === TAG.UTC_TIME || bits[0] === TAG.GENERALIZED_TIME) && bits[1] === bits.length - 2) {
    try {
      return readTime(readSingleNode(bits, path, ctx), path, 'timeInfo', ctx);
    } catch {
      return undefined;
    }
  }
  const text = new TextDecoder('latin1').decode(bits);
  const local = CHINA_LOCAL.exec(text);
  if (local) {
    ctx.warnings.push(`${path}: timeInfo "${text}" has no zone, read as Beijing time (UTC+8)`);
    const [, y, mo, d, h, mi, s] = local.map(Number) as [number, number, number, number, number, number, number];
    return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s));
  }
  return parseTimeText(text, 'generalized', path, 'timeInfo', ctx) ?? parseTimeText(text, 'utc', path, 'timeInfo', ctx);
}

/**
 * DER TBS_Sign, the bytes the signer signs. The seal goes in exactly as issued (`sealDer`).
 * v1 needs the signer certificate and algorithm, which live inside its TBS_Sign.
 */
export function encodeTbsSign(
  version: SealVersion,
  tbs: SesTbsSign,
  cert: Uint8Array,
  signatureAlgorithmOid: string,
  form?: SesSignature['signatureAlgorithmForm'],
): Uint8Array {
  return asInputError('toSign', () => encodeTbsSignUnchecked(version, tbs, cert, signatureAlgorithmOid, form));
}

function encodeTbsSignUnchecked(
  version: SealVersion,
  tbs: SesTbsSign,
  cert: Uint8Array,
  signatureAlgorithmOid: string,
  form?: SesSignature['signatureAlgorithmForm'],
): Uint8Array {
  readSingleNode(tbs.sealDer, 'TBS_Sign.eseal'); // one element, or the signature would be unparseable
  if (version === 4) {
    if (!tbs.timeInfo) throw new RangeError('v4 TBS_Sign needs timeInfo');
    const ext = tbs.extDatas ? [encodeExtDatasAnyForm(tbs.extDatas, tbs.extDatasForm)] : [];
    return derSequence(
      derInteger(tbs.version),
      tbs.sealDer,
      derGeneralizedTime(tbs.timeInfo),
      derBitString(tbs.dataHash),
      derIa5String(tbs.propertyInfo),
      ...ext,
    );
  }
  let timeBits = tbs.timeInfoBits;
  if (!timeBits) {
    if (!tbs.timeInfo) throw new RangeError('v1 TBS_Sign needs timeInfo or timeInfoBits');
    timeBits = derUtcTime(tbs.timeInfo);
  }
  return derSequence(
    derInteger(tbs.version),
    tbs.sealDer,
    derBitString(timeBits),
    derBitString(tbs.dataHash),
    derIa5String(tbs.propertyInfo),
    derOctetString(cert),
    encodeSignatureAlgorithm(signatureAlgorithmOid, form),
  );
}

/** DER SES_Signature in its version's layout. */
export function encodeSesSignature(sig: SesSignature): Uint8Array {
  return asInputError('signature', () => encodeSesSignatureUnchecked(sig));
}

function encodeSesSignatureUnchecked(sig: SesSignature): Uint8Array {
  const tbs = encodeTbsSign(sig.version, sig.toSign, sig.cert, sig.signatureAlgorithmOid, sig.signatureAlgorithmForm);
  if (sig.version === 1) return derSequence(tbs, derBitString(sig.signature));
  let ts: Uint8Array[] = [];
  if (sig.timeStamp) {
    ts = [sig.timeStampForm === 'implicit' ? derTlv(0x80, concatBytes(Uint8Array.of(0), sig.timeStamp)) : derExplicit(0, derBitString(sig.timeStamp))];
  }
  return derSequence(
    tbs,
    derOctetString(sig.cert),
    encodeSignatureAlgorithm(sig.signatureAlgorithmOid, sig.signatureAlgorithmForm),
    derBitString(sig.signature),
    ...ts,
  );
}
