import { TAG, expectOid, expectUniversal, type BerNode } from './ber-node-reader';

export interface CmsAttribute {
  readonly oid: string;
  readonly values: readonly BerNode[];
}

/** `SET OF Attribute` (also as [0]/[1] IMPLICIT): each `SEQUENCE { attrType, attrValues SET }`. */
export function readAttributes(set: BerNode, what: string): CmsAttribute[] {
  return set.children.map((attr, i) => {
    const seq = expectUniversal(attr, TAG.SEQUENCE, `${what}[${i}]`);
    const oid = expectOid(seq.children[0], `${what}[${i}].attrType`);
    const values = expectUniversal(seq.children[1], TAG.SET, `${what}[${i}].attrValues`).children;
    return { oid, values };
  });
}
