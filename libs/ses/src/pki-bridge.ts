/**
 * The one place libs/ses reaches into @ecert/pki. The package barrel (libs/pki/src/index.ts)
 * currently fails to load because `./keys` is being rewritten by another engineer, so this file
 * imports the crypto and x509 sub-barrels by relative path. When the barrel loads again, replace
 * both lines with `from '@ecert/pki'`; nothing else in libs/ses needs to change.
 */
export {
  CryptoError,
  OID,
  decodeEcSignature,
  rawEcSignatureToDer,
  sm3,
  verifySignature,
  type Signer,
} from '../../pki/src/crypto';
export { formatName } from '../../pki/src/x509';
