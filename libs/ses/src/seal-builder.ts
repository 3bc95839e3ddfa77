import { randomUUID } from 'node:crypto';
import {
  checkAscii,
  checkCertificate,
  checkDate,
  checkExtDatas,
  checkInteger,
  checkSignerMatches,
  checkText,
  checkUsableAt,
  signChecked,
} from './builder-checks';
import { pictureFormatOf, sniffPictureFormat, type PictureFormat } from './picture-format';
import type { Signer } from './pki-bridge';
import { encodeSeal, encodeSealToBeSigned } from './seal-codec';
import { SesInputError } from './ses-errors';
import type { SesCertDigest, SesCertList, SesExtData, SesSealInfo } from './ses-model';

export interface BuildSealV4Input {
  /** Vid of the header: the seal system's vendor identifier (ASCII). */
  readonly vendorId: string;
  /** Unique seal identifier (ASCII); default a random 32-hex-digit identifier. */
  readonly esId?: string;
  /** Seal type code (GB/T 38540 property.type). */
  readonly type: number;
  /** Seal name, e.g. "某某单位合同专用章". */
  readonly name: string;
  /** Certificates of the signers the seal is bound to (the unit certificate), or their digests (see `certificateDigest`). */
  readonly certList: { readonly type: 1; readonly certs: readonly Uint8Array[] } | { readonly type: 2; readonly digests: readonly SesCertDigest[] };
  readonly createDate: Date;
  readonly validStart: Date;
  readonly validEnd: Date;
  readonly picture: {
    /** Case-insensitive; written in upper case as the standard lists them ("PNG"). */
    readonly type: PictureFormat | string;
    readonly data: Uint8Array;
    readonly widthMm: number;
    readonly heightMm: number;
  };
  readonly extDatas?: readonly SesExtData[];
  /** The seal maker's (制章者) certificate, DER; goes into `cert`. */
  readonly makerCertificate: Uint8Array;
  /** Signs with the maker certificate's key (SM2/SM3 for GB/T 38540). */
  readonly makerSigner: Signer;
}

/**
 * Builds and signs a GB/T 38540 v4 seal: header ES/4/vendor, esID, property, picture, optional
 * extDatas, then the maker's signature over DER(SES_SealInfo) with the maker certificate in `cert`.
 * Every input is checked first (SesInputError), the signature is verified before returning, and
 * the result is canonical DER: it decodes to these fields and re-encodes to the same bytes.
 * Dates are truncated to whole seconds.
 */
export async function buildSealV4(input: BuildSealV4Input): Promise<Uint8Array> {
  const vendorId = checkAscii('vendorId', input.vendorId, 64);
  const esId = input.esId === undefined ? randomUUID().replace(/-/g, '') : checkAscii('esId', input.esId, 128);
  const type = checkInteger('type', input.type, 1, 0x7fffffff);
  const name = checkText('name', input.name, 256);
  const certList = checkCertList(input.certList);
  const createDate = checkDate('createDate', input.createDate);
  const validStart = checkDate('validStart', input.validStart);
  const validEnd = checkDate('validEnd', input.validEnd);
  if (validStart >= validEnd) throw new SesInputError('validEnd', 'must be after validStart');
  if (createDate > validEnd) throw new SesInputError('createDate', 'must not be after validEnd');
  const picture = checkPicture(input.picture);
  const extDatas = checkExtDatas('extDatas', input.extDatas);

  const maker = checkCertificate('makerCertificate', input.makerCertificate);
  checkSignerMatches('makerSigner', input.makerSigner, maker);
  checkUsableAt('makerCertificate', maker, createDate, 'seal creation date');

  const sealInfo: SesSealInfo = {
    header: { id: 'ES', version: 4, vendorId },
    esId,
    property: { type, name, certList, createDate, validStart, validEnd },
    picture,
    ...(extDatas ? { extDatas } : {}),
  };
  const signatureAlgorithmOid = input.makerSigner.signatureAlgorithmOid;
  const tbs = encodeSealToBeSigned(sealInfo, 4, maker.der, signatureAlgorithmOid);
  const signature = await signChecked('makerSigner', input.makerSigner, maker, tbs);
  return encodeSeal({ version: 4, sealInfo, cert: maker.der, signatureAlgorithmOid, signature });
}

function checkCertList(list: BuildSealV4Input['certList']): SesCertList {
  if (list?.type === 1) {
    if (!list.certs?.length) throw new SesInputError('certList.certs', 'at least one certificate is required');
    return { type: 1, certs: list.certs.map((c, i) => checkCertificate(`certList.certs[${i}]`, c).der) };
  }
  if (list?.type === 2) {
    if (!list.digests?.length) throw new SesInputError('certList.digests', 'at least one digest is required');
    return {
      type: 2,
      digests: list.digests.map((d, i) => {
        // PrintableString alphabet (X.680): letters, digits, space and '()+,-./:=?
        if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(d.type ?? '')) throw new SesInputError(`certList.digests[${i}].type`, 'must be a non-empty PrintableString');
        if (!(d.value instanceof Uint8Array) || d.value.length === 0) throw new SesInputError(`certList.digests[${i}].value`, 'must be non-empty bytes');
        return { type: d.type, value: d.value.slice() };
      }),
    };
  }
  throw new SesInputError('certList.type', 'must be 1 (certificates) or 2 (certificate digests)');
}

function checkPicture(p: BuildSealV4Input['picture']): SesSealInfo['picture'] {
  if (!p) throw new SesInputError('picture', 'is required');
  const format = pictureFormatOf(String(p.type ?? ''));
  if (!format) throw new SesInputError('picture.type', `unknown picture type "${p.type}" (png, gif, jpg, bmp, svg, ofd, tiff)`);
  if (!(p.data instanceof Uint8Array) || p.data.length === 0) throw new SesInputError('picture.data', 'must be non-empty bytes');
  const actual = sniffPictureFormat(p.data);
  if (actual !== format) throw new SesInputError('picture.data', `declared ${format} but the data ${actual ? `is ${actual}` : 'is not recognised'}`);
  return {
    type: format.toUpperCase(),
    data: p.data.slice(),
    widthMm: checkInteger('picture.widthMm', p.widthMm, 1, 1000),
    heightMm: checkInteger('picture.heightMm', p.heightMm, 1, 1000),
  };
}
