// UKeys through their vendor's PKCS#11 module: production station and remote unlock (docs/ukeys.md).
export { UkeyToken } from './ukey-token';
export type { GenerateKeyPairInput, TokenCertificate, TokenDataObject, TokenKeyPair, UkeyKeyAlgorithm, UkeyTokenInfo, UkeyTokenOptions } from './ukey-token';
export { UkeyTokenError, type UkeyTokenErrorReason } from './ukey-token-error';
export { buildCertificationRequest, type BuiltCertificationRequest } from './certification-request-builder';
