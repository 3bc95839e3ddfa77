/** OCSPResponseStatus values other than successful (RFC 6960 §4.2.1; 4 is unused). */
export const OCSP_ERROR_STATUSES = {
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

export type OcspErrorStatus = keyof typeof OCSP_ERROR_STATUSES;

/**
 * An unsigned OCSPResponse carrying only an error status: SEQUENCE { ENUMERATED status }.
 * Returns a fresh copy each time, so callers may hand the bytes to a stream that keeps them.
 */
export function ocspErrorResponse(status: OcspErrorStatus): Uint8Array {
  const value = OCSP_ERROR_STATUSES[status];
  if (value === undefined) throw new RangeError(`Not an OCSP error status: ${String(status)}`);
  return Uint8Array.of(0x30, 0x03, 0x0a, 0x01, value);
}
