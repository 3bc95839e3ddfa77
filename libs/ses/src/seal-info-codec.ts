import {
  TAG,
  readOctetString,
  readSmallInteger,
  readString,
  sequenceChildren,
  type DecodeContext,
  type DerNode,
} from './der/der-reader';
import { derGeneralizedTime, derUtcTime, readTime } from './der/der-time';
import {
  derIa5String,
  derInteger,
  derOctetString,
  derPrintableString,
  derSequence,
  derUtf8String,
  concatBytes,
} from './der/der-writer';
import { decodeExtDatasAnyForm, encodeExtDatasAnyForm } from './ext-datas-codec';
import { SesDecodeError } from './ses-errors';
import type {
  SealVersion,
  SesCertDigest,
  SesCertList,
  SesForeignCertListEntry,
  SesHeader,
  SesPictureInfo,
  SesPropertyInfo,
  SesSealInfo,
} from './ses-model';

/**
 * SES_SealInfo and its parts, for both versions. v4 and v1 differ only in SES_ESPropertyInfo:
 * v4 has certListType before the list and GeneralizedTime dates, v1 a bare list and UTCTime.
 */

const IA5: readonly number[] = [TAG.IA5_STRING];

export function decodeSealInfo(node: DerNode, version: SealVersion, path: string, ctx: DecodeContext): SesSealInfo {
  const f = sequenceChildren(node, path, 'SES_SealInfo', ctx);
  if (f.length < 4) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `SES_SealInfo has ${f.length} fields, at least 4 expected`);
  const header = decodeHeader(f[0]!, `${path}.header`, ctx);
  const esId = readString(f[1], `${path}.esID`, 'esID', IA5, ctx);
  const property = decodeProperty(f[2]!, version, `${path}.property`, ctx);
  const picture = decodePicture(f[3]!, `${path}.picture`, ctx);
  let ext;
  if (f.length > 4) {
    ext = decodeExtDatasAnyForm(f[4]!, `${path}.extDatas`, ctx);
    if (f.length > 5) ctx.warnings.push(`${path}: ${f.length - 5} unknown trailing field(s) in SES_SealInfo ignored`);
  }
  return {
    header,
    esId,
    property,
    picture,
    ...(ext ? { extDatas: ext.list, extDatasForm: ext.form } : {}),
  };
}

function decodeHeader(node: DerNode, path: string, ctx: DecodeContext): SesHeader {
  const f = sequenceChildren(node, path, 'SES_Header', ctx);
  const id = readString(f[0], `${path}.ID`, 'ID', IA5, ctx);
  const version = readSmallInteger(f[1], `${path}.version`, 'version');
  const vendorId = readString(f[2], `${path}.Vid`, 'Vid', IA5, ctx);
  if (id !== 'ES') ctx.warnings.push(`${path}: header ID is "${id}", not "ES"`);
  return { id, version, vendorId };
}

function decodeProperty(node: DerNode, version: SealVersion, path: string, ctx: DecodeContext): SesPropertyInfo {
  const f = sequenceChildren(node, path, 'SES_ESPropertyInfo', ctx);
  const type = readSmallInteger(f[0], `${path}.type`, 'type');
  const name = readString(f[1], `${path}.name`, 'name', [TAG.UTF8_STRING], ctx);
  // The layout is recognised by shape: an INTEGER third field is v4's certListType.
  const hasListType = f[2]?.tag === TAG.INTEGER;
  if (hasListType !== (version === 4)) {
    ctx.warnings.push(`${path}: ${hasListType ? 'v4' : 'v1'}-style property info inside a v${version} seal, accepted`);
  }
  let i = 2;
  let listType = 1;
  if (hasListType) {
    listType = readSmallInteger(f[2], `${path}.certListType`, 'certListType');
    i = 3;
  }
  const certList = decodeCertList(f[i], listType, `${path}.certList`, ctx);
  const createDate = readTime(f[i + 1], `${path}.createDate`, 'createDate', ctx);
  const validStart = readTime(f[i + 2], `${path}.validStart`, 'validStart', ctx);
  const validEnd = readTime(f[i + 3], `${path}.validEnd`, 'validEnd', ctx);
  if (f.length > i + 4) ctx.warnings.push(`${path}: ${f.length - i - 4} unknown trailing field(s) ignored`);
  return { type, name, certList, createDate, validStart, validEnd };
}

function decodeCertList(node: DerNode | undefined, listType: number, path: string, ctx: DecodeContext): SesCertList {
  const items = sequenceChildren(node, path, 'certList', ctx);
  if (listType === 1) {
    const certs: Uint8Array[] = [];
    const foreignEntries: SesForeignCertListEntry[] = [];
    items.forEach((item, index) => {
      if (item.tag === TAG.OCTET_STRING) {
        certs.push(item.content.slice());
      } else {
        const description = describeElement(item);
        foreignEntries.push({ index, tlv: item.tlv.slice(), description });
        ctx.warnings.push(`${path}[${index}]: certificate list entry is ${description}, not an OCTET STRING certificate; skipped`);
      }
    });
    return foreignEntries.length ? { type: 1, certs, foreignEntries } : { type: 1, certs };
  }
  if (listType === 2) {
    const digests = items.map((item, index): SesCertDigest => {
      const p = `${path}[${index}]`;
      const d = sequenceChildren(item, p, 'CertDigestObj', ctx);
      return {
        type: readString(d[0], `${p}.type`, 'type', [TAG.PRINTABLE_STRING], ctx),
        value: readOctetString(d[1], `${p}.value`, 'value'),
      };
    });
    return { type: 2, digests };
  }
  throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `unknown certListType ${listType} (1 = certificates, 2 = digests)`);
}

function describeElement(node: DerNode): string {
  const names: Record<number, string> = {
    [TAG.IA5_STRING]: 'IA5String',
    [TAG.PRINTABLE_STRING]: 'PrintableString',
    [TAG.UTF8_STRING]: 'UTF8String',
    [TAG.INTEGER]: 'INTEGER',
    [TAG.SEQUENCE]: 'SEQUENCE',
  };
  const name = names[node.tag] ?? `an element with tag 0x${node.tag.toString(16)}`;
  const isText = node.tag === TAG.IA5_STRING || node.tag === TAG.PRINTABLE_STRING || node.tag === TAG.UTF8_STRING;
  if (isText && node.content.length <= 64) return `${name} "${new TextDecoder().decode(node.content)}"`;
  return name;
}

function decodePicture(node: DerNode, path: string, ctx: DecodeContext): SesPictureInfo {
  const f = sequenceChildren(node, path, 'SES_ESPictrueInfo', ctx);
  const type = readString(f[0], `${path}.type`, 'type', IA5, ctx);
  const data = readOctetString(f[1], `${path}.data`, 'data');
  const widthMm = readSmallInteger(f[2], `${path}.width`, 'width');
  const heightMm = readSmallInteger(f[3], `${path}.height`, 'height');
  if (f.length > 4) ctx.warnings.push(`${path}: ${f.length - 4} unknown trailing field(s) ignored`);
  return { type, data, widthMm, heightMm };
}

/** DER SES_SealInfo in the layout of `version`. */
export function encodeSealInfo(info: SesSealInfo, version: SealVersion): Uint8Array {
  const { header, property: p, picture } = info;
  const time = version === 4 ? derGeneralizedTime : derUtcTime;
  const list = p.certList;
  if (version === 1 && list.type !== 1) throw new RangeError('a v1 seal can only carry certificates (certListType 1)');
  const listDer =
    list.type === 1
      ? encodeCertEntries(list.certs, list.foreignEntries)
      : derSequence(...list.digests.map((d) => derSequence(derPrintableString(d.type), derOctetString(d.value))));
  const propertyDer = derSequence(
    derInteger(p.type),
    derUtf8String(p.name),
    ...(version === 4 ? [derInteger(list.type)] : []),
    listDer,
    time(p.createDate),
    time(p.validStart),
    time(p.validEnd),
  );
  return derSequence(
    derSequence(derIa5String(header.id), derInteger(header.version), derIa5String(header.vendorId)),
    derIa5String(info.esId),
    propertyDer,
    derSequence(derIa5String(picture.type), derOctetString(picture.data), derInteger(picture.widthMm), derInteger(picture.heightMm)),
    ...(info.extDatas ? [encodeExtDatasAnyForm(info.extDatas, info.extDatasForm)] : []),
  );
}

/** Certificates, with tolerated foreign entries put back where they were. */
function encodeCertEntries(certs: readonly Uint8Array[], foreign: readonly SesForeignCertListEntry[] = []): Uint8Array {
  const out: Uint8Array[] = [];
  const byIndex = new Map(foreign.map((e) => [e.index, e.tlv]));
  let c = 0;
  for (let i = 0; c < certs.length || byIndex.size > 0; i++) {
    const f = byIndex.get(i);
    if (f) {
      out.push(f);
      byIndex.delete(i);
    } else if (c < certs.length) {
      out.push(derOctetString(certs[c++]!));
    } else {
      // Foreign entries recorded beyond the list's end: keep their order.
      for (const [, tlv] of [...byIndex].sort(([a], [b]) => a - b)) out.push(tlv);
      byIndex.clear();
    }
  }
  return derSequence(concatBytes(...out));
}
