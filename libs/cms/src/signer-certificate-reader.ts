import { describePublicKey, type PublicKeyDescription } from '@ecert/pki';
import { parseCertificate } from '@ecert/ses';
import { CmsError } from './cms-error';

export interface SignerCertificate {
  readonly der: Uint8Array;
  /** Issuer Name DER exactly as in the certificate (issuerAndSerialNumber copies it). */
  readonly issuerDer: Uint8Array;
  /** serialNumber INTEGER content octets as received. */
  readonly serialNumber: Uint8Array;
  readonly spki: Uint8Array;
  readonly subjectKeyId?: Uint8Array;
  readonly key: PublicKeyDescription;
}

/**
 * The signer-identifying parts of a certificate. Uses the SES parser, which is lenient about what
 * real SM2 certificates do (NULL beside SM2-with-SM3, BER booleans) and hands out received bytes.
 */
export function readSignerCertificate(der: Uint8Array, what = 'signer certificate'): SignerCertificate {
  if (!(der instanceof Uint8Array)) throw new CmsError('cms_malformed', `${what} is not a byte array`);
  // A seal signs with the same certificate again and again, and parsing plus describing its key
  // costs ~2.5 ms (schema round trips in the SES and PKI parsers): remember the last few.
  const cacheKey = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  const cached = CACHE.get(cacheKey);
  if (cached) return cached;
  const cert = parse(der, what);
  if (CACHE.size >= CACHE_SIZE) CACHE.delete(CACHE.keys().next().value!);
  CACHE.set(cacheKey, cert);
  return cert;
}

const CACHE_SIZE = 32;
/** Read-only use only: callers hand out copies (see verifySignedData). */
const CACHE = new Map<string, SignerCertificate>();

function parse(der: Uint8Array, what: string): SignerCertificate {
  let parsed: ReturnType<typeof parseCertificate>;
  try {
    parsed = parseCertificate(der);
  } catch (e) {
    throw new CmsError('cms_malformed', `${what} is not an X.509 certificate: ${(e as Error).message}`);
  }
  let key: PublicKeyDescription;
  try {
    key = describePublicKey(parsed.spki);
  } catch (e) {
    throw new CmsError('unsupported_algorithm', `${what} has an unreadable public key: ${(e as Error).message}`);
  }
  return Object.freeze({
    der: parsed.der,
    issuerDer: parsed.issuerDer,
    serialNumber: new Uint8Array(Buffer.from(parsed.serialNumberHex, 'hex')),
    spki: parsed.spki,
    ...(parsed.subjectKeyId ? { subjectKeyId: parsed.subjectKeyId } : {}),
    key,
  });
}
