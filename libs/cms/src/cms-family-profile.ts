import { CMS_OID } from './cms-oids';
import type { CmsFamily } from './cms-types';

export interface CmsFamilyProfile {
  readonly signedDataOid: string;
  /** eContentType, repeated in the content-type signed attribute. */
  readonly dataOid: string;
  readonly digestAlgorithm: 'sha256' | 'sm3';
  /** The key family that may sign in this container. */
  readonly keyFamilies: readonly ('sm2' | 'ecdsa' | 'rsa')[];
}

/**
 * What each family writes. gbt35275's ESSCertIDv2 uses SM3 too (hashAlgorithm then explicit, since
 * the DEFAULT is SHA-256), so an SM2 signature depends on no SHA-2 at all.
 */
export const CMS_FAMILY_PROFILES: Readonly<Record<CmsFamily, CmsFamilyProfile>> = {
  pades: {
    signedDataOid: CMS_OID.signedData,
    dataOid: CMS_OID.data,
    digestAlgorithm: 'sha256',
    keyFamilies: ['ecdsa', 'rsa'],
  },
  gbt35275: {
    signedDataOid: CMS_OID.gbSignedData,
    dataOid: CMS_OID.gbData,
    digestAlgorithm: 'sm3',
    keyFamilies: ['sm2'],
  },
};

export function cmsFamilyProfile(family: CmsFamily): CmsFamilyProfile {
  const profile = (CMS_FAMILY_PROFILES as Record<string, CmsFamilyProfile | undefined>)[family];
  if (!profile) throw new TypeError(`unknown CMS family ${String(family)}`);
  return profile;
}
