/** Certificate revocation: CRLs (complete and delta) and OCSP (RFC 5280, RFC 6960). */
export { buildCrl, encodeTbsCertList, signCrl, type BuildCrlInput, type CrlEntry, type HoldInstruction, type IssuingDistributionPoint } from './crl-builder';
export { RevokedCertificatesEncoder, type EncodedRevokedCertificates, type RevokedCertificatesEncoderOptions } from './revoked-certificates-encoder';
export { planDeltaEntries, type DeltaPlanInput } from './crl-delta-planner';
export {
  parseOcspRequest,
  OcspRequestError,
  OCSP_HASH_ALGORITHMS,
  type OcspCertId,
  type OcspHashAlgorithm,
  type OcspRequest,
  type ParseOcspRequestOptions,
} from './ocsp-request-parser';
export {
  OcspResponseBuilder,
  ocspAnswerTimes,
  type OcspCertStatus,
  type OcspResponderOptions,
  type OcspResponseDataInput,
  type OcspSingleResponse,
} from './ocsp-response-builder';
export { ocspErrorResponse, OCSP_ERROR_STATUSES, type OcspErrorStatus } from './ocsp-error-response';
export { OcspStatusView, type OcspStatusViewOptions } from './ocsp-status-view';
export { ocspIssuerKeys, ocspIssuerLookupKey, type OcspIssuerKey } from './ocsp-issuer-keys';
export { REASON_CODES, isReasonCode, type ReasonCode } from './revocation-reason';
export { RevocationInputError } from './revocation-input-error';
export { serialKey, type SerialInput } from './serial-number';
export { certificateFields, type CertificateFields } from './certificate-fields';
