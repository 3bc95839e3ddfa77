// Certificate and CSR parts of @ecert/pki's x509 module (CRL/OCSP live in crl-*/ocsp-* files).
export { buildName, encodeName, formatName, parseName } from './distinguished-name';
export type { DistinguishedNameInput, FormatNameOptions } from './distinguished-name';
export { buildCertificate, newSerialNumber, normalizeSerialNumber } from './certificate-builder';
export type { BuildCertificateInput, CertificateIssuer } from './certificate-builder';
export { issuerFromCertificate } from './certificate-issuer';
export { PROFILE_OID, certificateProfiles } from './certificate-profiles';
export { extendedKeyUsageOf, purposeAllowed } from './extended-key-usage';
export type {
  EndEntityProfileInput,
  IssuerLinks,
  IssuingCaProfileInput,
  OcspSignerProfileInput,
  PersonalProfileInput,
  PersonalSubjectInput,
  PolicyInput,
  RootCaProfileInput,
  UnitProfileInput,
  UnitSubjectInput,
} from './certificate-profiles';
export { CsrError, acceptCsr, checkCsrKeyPolicy, parseCsr, verifyCsrProofOfPossession } from './csr';
export type { AcceptedCsr, CsrAttribute, CsrErrorCode, ParsedCsr } from './csr';
export { PemError, decodePem, decodePemAll, encodePem, looksLikePem } from './pem';
export type { PemBlock } from './pem';
export { keyIdentifierOf } from './key-identifier';
export { SIGNATURE_ALGORITHMS, signatureAlgorithmIdentifierDer } from './signature-algorithm';
export { X509InputError } from './x509-input-error';
export {
  PERSONAL_ID_HASH_PATTERN,
  PERSONAL_ID_HASH_PREFIX,
  RESIDENT_ID_NUMBER_PATTERN,
  classifyPersonalIdCode,
  personalIdHash,
} from './personal-id-code';
export type { PersonalIdCode, PersonalIdMode } from './personal-id-code';
export { readPersonalIdCode } from './personal-id-extension';
export { signedDigest } from './signed-digest';
export type { SignedDigest } from './signed-digest';
