import { TAG, childrenOf, readBoolean, readOctetString, readOid, readSingleNode, sequenceChildren, type DecodeContext, type DerNode } from './der/der-reader';
import { derBoolean, derExplicit, derOctetString, derOid, derSequence, derTlv } from './der/der-writer';
import { SesDecodeError } from './ses-errors';
import type { ExtDatasForm, SesExtData } from './ses-model';

/** ExtensionDatas ::= SEQUENCE SIZE (0..MAX) OF ExtData (shared by SES_SealInfo and TBS_Sign). */
export function decodeExtDatas(node: DerNode, path: string, ctx: DecodeContext): SesExtData[] {
  return sequenceChildren(node, path, 'ExtensionDatas', ctx).map((item, i) => decodeExtData(item, `${path}[${i}]`, ctx));
}

function decodeExtData(node: DerNode, path: string, ctx: DecodeContext): SesExtData {
  const f = sequenceChildren(node, path, 'ExtData', ctx);
  const extnId = readOid(f[0], `${path}.extnID`, 'extnID');
  let i = 1;
  let critical = false;
  let explicitCriticalFalse = false;
  if (f[i]?.tag === TAG.BOOLEAN) {
    critical = readBoolean(f[i]!, `${path}.critical`, ctx);
    // DER forbids encoding a DEFAULT value; real seals do it, and it is part of what was signed.
    if (!critical) {
      explicitCriticalFalse = true;
      ctx.warnings.push(`${path}: critical FALSE encoded explicitly (DEFAULT value), accepted`);
    }
    i++;
  }
  const extnValue = readOctetString(f[i], `${path}.extnValue`, 'extnValue');
  if (f.length > i + 1) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `ExtData has ${f.length - i - 1} unexpected trailing field(s)`);
  return { extnId, critical, extnValue, ...(explicitCriticalFalse ? { explicitCriticalFalse } : {}) };
}

/** One ExtData. `critical` is written only when TRUE (DER), unless a decoded entry had it explicit. */
export function encodeExtData(e: SesExtData): Uint8Array {
  return derSequence(
    derOid(e.extnId),
    ...(e.critical ? [derBoolean(true)] : e.explicitCriticalFalse ? [derBoolean(false)] : []),
    derOctetString(e.extnValue),
  );
}

/** The SEQUENCE OF ExtData. */
export function encodeExtDatas(list: readonly SesExtData[]): Uint8Array {
  return derSequence(...list.map(encodeExtData));
}

/**
 * ExtensionDatas as found in the wild: untagged per the standards, or wrapped as [0] EXPLICIT
 * (ofdrw's TBS_Sign) or [0] IMPLICIT. The form is returned so re-encoding gives the same bytes.
 */
export function decodeExtDatasAnyForm(node: DerNode, path: string, ctx: DecodeContext): { list: SesExtData[]; form: ExtDatasForm } {
  if (node.tag === TAG.SEQUENCE) return { list: decodeExtDatas(node, path, ctx), form: 'untagged' };
  if (node.tag !== 0xa0) throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, `extDatas expected, found tag 0x${node.tag.toString(16)}`);
  const inner = childrenOf(node, path, ctx);
  // EXPLICIT wraps one SEQUENCE OF ExtData; IMPLICIT holds the ExtData SEQUENCEs (each starting with an OID) directly.
  const only = inner.length === 1 ? inner[0]! : undefined;
  if (only?.tag === TAG.SEQUENCE) {
    const grand = childrenOf(only, path, ctx);
    if (grand.length === 0 || grand[0]!.tag === TAG.SEQUENCE) {
      ctx.warnings.push(`${path}: extDatas tagged [0] EXPLICIT, accepted`);
      return { list: decodeExtDatas(only, path, ctx), form: 'explicit' };
    }
  }
  ctx.warnings.push(`${path}: extDatas tagged [0] IMPLICIT, accepted`);
  const asSequence = readSingleNode(derTlv(TAG.SEQUENCE, node.content), path, ctx);
  return { list: decodeExtDatas(asSequence, path, ctx), form: 'implicit' };
}

export function encodeExtDatasAnyForm(list: readonly SesExtData[], form: ExtDatasForm = 'untagged'): Uint8Array {
  if (form === 'explicit') return derExplicit(0, encodeExtDatas(list));
  if (form === 'implicit') return derTlv(0xa0, ...list.map(encodeExtData));
  return encodeExtDatas(list);
}
