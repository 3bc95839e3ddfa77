// @ecert/ses: GB/T 38540-2020 (v4) and GM/T 0031-2014 (v1) electronic seals and e-signatures.
// Pure library: encode/decode, build (v4), verify. No Nest, no database, no network.
export type {
  DecodedSeal,
  DecodedSesSignature,
  ExtDatasForm,
  SealVersion,
  SesCertDigest,
  SesCertList,
  SesExtData,
  SesForeignCertListEntry,
  SesHeader,
  SesPictureInfo,
  SesPropertyInfo,
  SesSeal,
  SesSealInfo,
  SesSignature,
  SesTbsSign,
  SignatureAlgorithmForm,
} from './ses-model';
export { SesDecodeError, SesError, SesInputError } from './ses-errors';
export type { SesDecodeErrorCode, SesErrorCode } from './ses-errors';
export { detectSealVersion } from './seal-version-detector';
export { decodeSeal, decodeSealInfoV4, encodeSeal, encodeSealToBeSigned } from './seal-codec';
export type { DecodeSealOptions } from './seal-codec';
export { decodeSesSignature, decodeTbsSignV4, encodeSesSignature, encodeTbsSign } from './ses-signature-codec';
export type { DecodedTbsSignV4, DecodeSesSignatureOptions } from './ses-signature-codec';
export { buildSealV4 } from './seal-builder';
export type { BuildSealV4Input } from './seal-builder';
export { buildSesSignatureV4 } from './ses-signature-builder';
export type { BuildSesSignatureV4Input } from './ses-signature-builder';
export { assembleSesSignatureV4, checkSealSignature, prepareSesSignatureV4, sealBinds } from './ses-signature-preparer';
export type { PrepareSesSignatureV4Input, PreparedSesSignatureV4 } from './ses-signature-preparer';
export { verifySeal } from './seal-verifier';
export type { SealVerificationReport, VerifySealOptions } from './seal-verifier';
export { verifySesSignature } from './ses-signature-verifier';
export type { SesSignatureVerificationReport, VerifySesSignatureOptions } from './ses-signature-verifier';
export { overallIndication } from './verification-report';
export type { CheckResult, Indication, VerificationCheck } from './verification-report';
export { checkMakerTrust } from './maker-trust';
export type { MakerTrustInput, SealMakerTrustList } from './maker-trust';
export { validateCertificatePath } from './certificate-path-validator';
export type { CertificatePathInput, CertificatePathResult } from './certificate-path-validator';
export { parseCertificate } from './certificate-parser';
export type { ParsedCertificate } from './certificate-parser';
export { certificateDigest, certDigestMatches } from './cert-digest';
export type { CertDigestAlgorithm } from './cert-digest';
export { pictureFormatOf, sniffPictureFormat } from './picture-format';
export type { PictureFormat } from './picture-format';
export { hashDocument } from './document-hasher';
