/** The one place libs/ses reaches into @ecert/pki. */
export {
  CryptoError,
  OID,
  decodeEcSignature,
  rawEcSignatureToDer,
  sm3,
  sm2ZValue,
  describePublicKey,
  verifySignature,
  type Signer,
} from '@ecert/pki';
export { formatName, concatBytes, derBitString, derExplicit, derOctetString, derOid, derSequence, derTlv } from '@ecert/pki';
