import { TAG, childrenOf, readSingleNode, type DerNode } from './der/der-reader';
import type { SealVersion } from './ses-model';

/**
 * Which seal layout `der` has, from its structure alone (the header's version number is not
 * trusted: real v1 seals carry 1, 2 or 3 and some v4 producers write other values):
 *   v4 = SEQUENCE { SES_SealInfo, cert OCTET STRING, algorithm, signedValue BIT STRING }   (4 fields)
 *   v1 = SEQUENCE { SES_SealInfo, signInfo SEQUENCE { cert, algorithm, signData } }        (2 fields)
 * undefined when it is neither (including an SES_Signature). Never throws.
 */
export function detectSealVersion(der: Uint8Array): SealVersion | undefined {
  try {
    return sealLayoutOf(readSingleNode(der, 'SES_Seal'));
  } catch {
    return undefined;
  }
}

/** @internal the same test on an already-read node (used for seals embedded in signatures). */
export function sealLayoutOf(node: DerNode): SealVersion | undefined {
  if (node.tag !== TAG.SEQUENCE) return undefined;
  const f = childrenOf(node, 'SES_Seal');
  if (!isSealInfo(f[0])) return undefined;
  if (f.length === 4 && f[1]!.tag === TAG.OCTET_STRING && f[3]!.tag === TAG.BIT_STRING) return 4;
  if (f.length === 2 && f[1]!.tag === TAG.SEQUENCE) {
    const signInfo = childrenOf(f[1]!, 'SES_Seal.signInfo');
    if (signInfo.length === 3 && signInfo[0]!.tag === TAG.OCTET_STRING && signInfo[2]!.tag === TAG.BIT_STRING) return 1;
  }
  return undefined;
}

/** SES_SealInfo starts with the SES_Header SEQUENCE (a TBS_Sign would start with an INTEGER). */
function isSealInfo(node: DerNode | undefined): boolean {
  if (node?.tag !== TAG.SEQUENCE) return false;
  const f = childrenOf(node, 'SES_SealInfo');
  const esIdTags: readonly number[] = [TAG.IA5_STRING, TAG.PRINTABLE_STRING, TAG.UTF8_STRING];
  return f[0]?.tag === TAG.SEQUENCE && f[1] !== undefined && esIdTags.includes(f[1].tag);
}
