/**
 * The GET form of an OCSP request (RFC 6960 appendix A.1): `/ocsp/{url-encoding of base64 of DER}`.
 * Returns the DER bytes, or undefined when the path carries none or cannot be decoded (a broken
 * %-escape); never throws, so outside input cannot turn into a 500.
 */
export function decodeOcspGetPath(pathAfterPrefix: string): Buffer | undefined {
  const path = pathAfterPrefix.split('?')[0];
  if (!path) return undefined;
  try {
    return Buffer.from(decodeURIComponent(path), 'base64');
  } catch {
    return undefined; // a broken %-escape is a malformed request, not a server error
  }
}
