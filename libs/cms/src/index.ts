// @ecert/cms: CMS SignedData for document signatures, PAdES (CAdES detached, ECDSA/RSA) and
// GB/T 35275 (SM2/SM3). Pure library: no Nest, no database, no network. See docs/cms.md.
export type {
  AssembleInput,
  CmsDigestAlgorithm,
  CmsFamily,
  CmsVerification,
  PreparedSignedAttributes,
  SignedAttributesInput,
  TimestampVerification,
} from './cms-types';
export { CmsError } from './cms-error';
export type { CmsErrorCode } from './cms-error';
export { CMS_OID } from './cms-oids';
export { CMS_FAMILY_PROFILES, cmsFamilyProfile } from './cms-family-profile';
export type { CmsFamilyProfile } from './cms-family-profile';
export { prepareSignedAttributes } from './signed-attributes-preparer';
export { checkSignatureOverAttributes } from './attribute-signature-checker';
export { assembleSignedData } from './signed-data-assembler';
export { signDetached } from './detached-signer';
export { digestAlgorithmOf } from './digest-algorithm-reader';
export { verifySignedData } from './signed-data-verifier';
export { verifyTimestampToken } from './timestamp-token-verifier';
export { parseSignedData } from './signed-data-parser';
export type { ParsedAlgorithm, ParsedSignedData, ParsedSignerInfo, SignerId } from './signed-data-parser';
export { digestChunks } from './chunk-digester';
export { digestStream } from './stream-digester';
export { createContentHasher } from './content-hasher';
export type { ContentHasher } from './content-hasher';
