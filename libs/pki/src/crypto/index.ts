export * from './algorithms';
export type { Signer } from './signer';
export * from './crypto-errors';
export { sm3, SM3_IS_NATIVE } from './sm3';
export { hmacSm3 } from './hmac-sm3';
export {
  SM2_CURVE,
  SM2_IS_NATIVE,
  Sm2PrivateKey,
  generateSm2KeyPair,
  sm2PublicKeyFromPrivate,
  sm2Sign,
  sm2Verify,
  sm2ZValue,
  type Sm2KeyPair,
  type Sm2UserId,
} from './sm2';
export { sm2PrivateKeyFromPkcs8, sm2PrivateKeyToPkcs8, sm2PublicKeyFromSpki, sm2PublicKeyToSpki } from './sm2-key-encoding';
export { decodeEcSignature, encodeEcSignature, rawEcSignatureToDer } from './ec-signature-der';
export { assertAcceptableSubscriberKey, describePublicKey, type PublicKeyDescription } from './public-key-info';
export { canonicalSpki, publicKeyFingerprint } from './public-key-fingerprint';
export { verifySignature, type VerifySignatureInput } from './signature-verifier';
export { signatureAlgorithmOidFor } from './signing-scheme';
export * from './possession-signature';
