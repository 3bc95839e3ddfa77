import {
  TAG,
  childrenOf,
  newDecodeContext,
  readBitString,
  readOctetString,
  readSingleNode,
  sequenceChildren,
  type DecodeContext,
  type DerNode,
} from './der/der-reader';
import { derBitString, derOctetString, derSequence } from './der/der-writer';
import { decodeSealInfo, encodeSealInfo } from './seal-info-codec';
import { SesDecodeError, asInputError } from './ses-errors';
import type { DecodedSeal, SealVersion, SesSeal, SesSealInfo, SignatureAlgorithmForm } from './ses-model';
import { decodeSignatureAlgorithm, encodeSignatureAlgorithm } from './signature-algorithm-codec';

export interface DecodeSealOptions {
  /** Refuse the other layout with an UNSUPPORTED_VERSION error. */
  readonly expectedVersion?: SealVersion;
}

/**
 * Decodes an SES_Seal of either version, detected by structure. Tolerates what real seals do
 * (explicit `critical FALSE`, certificate lists with non-certificate entries, string-type and
 * time-type mix-ups, AlgorithmIdentifier instead of OID…) and lists it in `warnings`; throws
 * SesDecodeError only for input that is not a seal at all, truncated, or not DER.
 */
export function decodeSeal(der: Uint8Array, options: DecodeSealOptions = {}): DecodedSeal {
  const ctx = newDecodeContext();
  const node = readSingleNode(der, 'SES_Seal', ctx);
  return decodeSealNode(node, 'SES_Seal', ctx, options);
}

/**
 * Decodes a lone DER SES_SealInfo of a v4 seal (what the seal maker is asked to sign), strictly:
 * anything the decoder had to tolerate is refused, since a signer should sign only clean input.
 */
export function decodeSealInfoV4(der: Uint8Array): SesSealInfo {
  const ctx = newDecodeContext();
  const node = readSingleNode(der, 'SES_SealInfo', ctx);
  const info = decodeSealInfo(node, 4, 'SES_SealInfo', ctx);
  if (ctx.warnings.length) throw new SesDecodeError('UNEXPECTED_STRUCTURE', 'SES_SealInfo', `not clean DER: ${ctx.warnings.join('; ')}`);
  return info;
}

/** @internal also used for the seal embedded in TBS_Sign; `ctx` collects this seal's warnings. */
export function decodeSealNode(node: DerNode, path: string, ctx: DecodeContext, options: DecodeSealOptions = {}): DecodedSeal {
  const f = sequenceChildren(node, path, 'SES_Seal', ctx);
  const version = layoutVersion(f, path, ctx);
  if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
    throw new SesDecodeError('UNSUPPORTED_VERSION', path, `a v${version} seal where v${options.expectedVersion} is required`);
  }
  const infoNode = f[0]!;
  const sealInfo = decodeSealInfo(infoNode, version, `${path}.${version === 4 ? 'eSealInfo' : 'esealInfo'}`, ctx);

  let certNode: DerNode | undefined;
  let algNode: DerNode | undefined;
  let sigNode: DerNode | undefined;
  let sigPath: string;
  if (version === 4) {
    [, certNode, algNode, sigNode] = f;
    sigPath = path;
  } else {
    sigPath = `${path}.signInfo`;
    const s = sequenceChildren(f[1], sigPath, 'SES_SignInfo', ctx);
    if (s.length !== 3) throw new SesDecodeError('UNEXPECTED_STRUCTURE', sigPath, `SES_SignInfo has ${s.length} fields, 3 expected`);
    [certNode, algNode, sigNode] = s;
  }
  const cert = readOctetString(certNode, `${sigPath}.cert`, 'cert');
  const alg = decodeSignatureAlgorithm(algNode, `${sigPath}.${version === 4 ? 'signatureAlgID' : 'signatureAlgorithm'}`, ctx);
  const signature = readBitString(sigNode, `${sigPath}.${version === 4 ? 'signedValue' : 'signData'}`, 'signature');

  checkHeaderVersion(sealInfo, version, path, ctx);
  // v4 signs SES_SealInfo; v1 signs SEQUENCE { sealInfo, cert, signatureAlgorithm }. Both from received bytes.
  const signedData = version === 4 ? infoNode.tlv.slice() : derSequence(infoNode.tlv, certNode!.tlv, algNode!.tlv);
  return {
    version,
    sealInfo,
    cert,
    signatureAlgorithmOid: alg.oid,
    signatureAlgorithmForm: alg.form,
    signature,
    der: node.tlv.slice(),
    sealInfoDer: infoNode.tlv.slice(),
    signedData,
    warnings: [...ctx.warnings],
  };
}

function layoutVersion(f: readonly DerNode[], path: string, ctx: DecodeContext): SealVersion {
  const first = f[0];
  if (first?.tag === TAG.SEQUENCE) {
    const inner = childrenOf(first, `${path}[0]`, ctx);
    if (inner[0]?.tag === TAG.INTEGER) {
      throw new SesDecodeError('UNEXPECTED_STRUCTURE', path, 'this is an SES_Signature (it starts with TBS_Sign), not a seal');
    }
  }
  if (f.length === 4) return 4;
  if (f.length === 2) return 1;
  throw new SesDecodeError(
    'UNSUPPORTED_VERSION',
    path,
    `SES_Seal has ${f.length} fields: neither GM/T 0031 v1 (2 fields) nor GB/T 38540 v4 (4 fields)`,
  );
}

function checkHeaderVersion(info: SesSealInfo, version: SealVersion, path: string, ctx: DecodeContext): void {
  const v = info.header.version;
  if (version === 4 && v !== 4) ctx.warnings.push(`${path}: v4 structure but header version ${v}; read as v4`);
  if (version === 1 && v >= 4) ctx.warnings.push(`${path}: v1 structure but header version ${v}; read as v1`);
}

/** DER of a seal in its version's layout. A decoded seal (from ecert or a DER-clean producer) re-encodes to its bytes. */
export function encodeSeal(seal: SesSeal): Uint8Array {
  return asInputError('seal', () => encodeSealUnchecked(seal));
}

function encodeSealUnchecked(seal: SesSeal): Uint8Array {
  const alg = encodeSignatureAlgorithm(seal.signatureAlgorithmOid, seal.signatureAlgorithmForm);
  const info = encodeSealInfo(seal.sealInfo, seal.version);
  const cert = derOctetString(seal.cert);
  const sig = derBitString(seal.signature);
  return seal.version === 4 ? derSequence(info, cert, alg, sig) : derSequence(info, derSequence(cert, alg, sig));
}

/** The bytes the maker signs: v4 = DER(SES_SealInfo); v1 = DER(SEQUENCE { sealInfo, cert, signatureAlgorithm }). */
export function encodeSealToBeSigned(
  sealInfo: SesSealInfo,
  version: SealVersion,
  cert: Uint8Array,
  signatureAlgorithmOid: string,
  form: SignatureAlgorithmForm = 'oid',
): Uint8Array {
  return asInputError('sealInfo', () => {
    const info = encodeSealInfo(sealInfo, version);
    if (version === 4) return info;
    return derSequence(info, derOctetString(cert), encodeSignatureAlgorithm(signatureAlgorithmOid, form));
  });
}
