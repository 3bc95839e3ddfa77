import * as asn1js from 'asn1js';
import { CmsError } from './cms-error';

/**
 * One element of a BER/DER tree with the exact bytes it was received as. CMS verification must hash
 * and compare received bytes (signed attributes, certificates), never a re-encoding, and third-party
 * containers are sometimes BER (indefinite lengths, constructed OCTET STRINGs), which asn1js reads.
 */
export interface BerNode {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** The whole TLV as received. */
  readonly raw: Uint8Array;
  /** Content octets of a primitive element (empty for constructed ones). */
  readonly content: Uint8Array;
  readonly children: readonly BerNode[];
  /** Dotted form, for OBJECT IDENTIFIERs. */
  readonly oid?: string;
}

export const UNIVERSAL = 0;
export const CONTEXT = 2;

/** Parses exactly one element (no trailing bytes); CmsError('cms_malformed') otherwise. */
export function readBer(bytes: Uint8Array, what = 'CMS'): BerNode {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new CmsError('cms_malformed', `${what}: no bytes`);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes);
  } catch (e) {
    // asn1js reports most faults in result.error but throws for some, e.g. an empty GeneralizedTime (18 00).
    throw new CmsError('cms_malformed', `${what}: not BER/DER (${(e as Error).message})`);
  }
  if (parsed.offset === -1 || parsed.result.error) {
    throw new CmsError('cms_malformed', `${what}: not BER/DER (${parsed.result.error || 'undecodable'})`);
  }
  if (parsed.offset !== bytes.length) {
    throw new CmsError('cms_malformed', `${what}: ${bytes.length - parsed.offset} bytes after the end of the structure`);
  }
  return toNode(parsed.result, bytes);
}

function toNode(block: asn1js.AsnType, source: Uint8Array): BerNode {
  const b = block as asn1js.BaseBlock;
  const id = b.idBlock;
  // asn1js numbers classes 1..4; views share memory with the input.
  const tagClass = id.tagClass - 1;
  const raw = b.valueBeforeDecodeView;
  const constructed = id.isConstructed;
  const value = constructed ? ((b.valueBlock as unknown as { value?: unknown }).value ?? []) : [];
  // asn1js reads a constructed character string (e.g. tag 0x32, found by fuzzing) into a JS string,
  // not child blocks; DER forbids the form and CMS never needs it, so it is malformed, not a TypeError.
  if (!Array.isArray(value)) {
    throw new CmsError('cms_malformed', `constructed form of universal tag ${id.tagNumber} is not supported`);
  }
  const kids = value as asn1js.AsnType[];
  const children = kids
    .filter((k) => !(k instanceof asn1js.EndOfContent))
    .map((k) => toNode(k, source));
  const content = constructed ? new Uint8Array(0) : raw.subarray(id.blockLength + b.lenBlock.blockLength);
  const oid = block instanceof asn1js.ObjectIdentifier ? dottedOid(content) : undefined;
  return { tagClass, tagNumber: id.tagNumber, constructed, raw, content, children, ...(oid ? { oid } : {}) };
}

/**
 * Dotted form of an OBJECT IDENTIFIER's content octets, with arcs of any size (asn1js writes arcs
 * beyond 2^53, as the UUID arcs under 2.25 are, in hex braces). undefined when malformed.
 */
export function dottedOid(content: Uint8Array): string | undefined {
  const arcs: bigint[] = [];
  let v = 0n;
  let pending = false;
  for (const byte of content) {
    if (!pending && byte === 0x80) return undefined; // non-minimal
    v = (v << 7n) | BigInt(byte & 0x7f);
    pending = (byte & 0x80) !== 0;
    if (!pending) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (pending || arcs.length === 0) return undefined;
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** The content of an OCTET STRING, joining BER constructed pieces. */
export function octetStringContent(node: BerNode): Uint8Array {
  if (!node.constructed) return node.content;
  const parts = node.children.map(octetStringContent);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function isUniversal(node: BerNode | undefined, tagNumber: number): node is BerNode {
  return node !== undefined && node.tagClass === UNIVERSAL && node.tagNumber === tagNumber;
}

export function isContext(node: BerNode | undefined, tagNumber: number): node is BerNode {
  return node !== undefined && node.tagClass === CONTEXT && node.tagNumber === tagNumber;
}

/** The node if it is the universal type `tagNumber`; CmsError('cms_malformed') naming `what` otherwise. */
export function expectUniversal(node: BerNode | undefined, tagNumber: number, what: string): BerNode {
  if (node && node.tagClass === UNIVERSAL && node.tagNumber === tagNumber) return node;
  const found = node ? `, found class ${node.tagClass} tag ${node.tagNumber}` : ', missing';
  throw new CmsError('cms_malformed', `${what} expected (universal tag ${tagNumber})${found}`);
}

export function expectOid(node: BerNode | undefined, what: string): string {
  const n = expectUniversal(node, TAG.OID, what);
  if (!n.oid) throw new CmsError('cms_malformed', `${what}: unreadable OBJECT IDENTIFIER`);
  return n.oid;
}

export const TAG = { INTEGER: 2, OCTET_STRING: 4, NULL: 5, OID: 6, SEQUENCE: 16, SET: 17 } as const;
