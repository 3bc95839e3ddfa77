import { CmsError } from './cms-error';
import type { CmsDigestAlgorithm } from './cms-types';
import { digestAlgorithmFromOid } from './digest-algorithms';
import { parseSignedData } from './signed-data-parser';

/**
 * Which digest of the signed content `verifySignedData` needs: the (first) SignerInfo's
 * digestAlgorithm. Throws CmsError('cms_malformed') for a non-SignedData and
 * ('unsupported_algorithm') for digests ecert does not compute (SHA-1, MD5, …).
 */
export function digestAlgorithmOf(cmsDer: Uint8Array): CmsDigestAlgorithm {
  const signerInfo = parseSignedData(cmsDer).signerInfos[0];
  if (!signerInfo) throw new CmsError('cms_malformed', 'SignedData has no SignerInfo');
  const alg = digestAlgorithmFromOid(signerInfo.digestAlgorithm.oid);
  if (!alg) throw new CmsError('unsupported_algorithm', `digest algorithm ${signerInfo.digestAlgorithm.oid} is not supported`);
  return alg;
}
