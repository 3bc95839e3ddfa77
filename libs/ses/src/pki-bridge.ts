/** The one place libs/ses reaches into @ecert/pki. */
export {
  CryptoError,
  OID,
  decodeEcSignature,
  rawEcSignatureToDer,
  sm3,
  verifySignature,
  type Signer,
} from '@ecert/pki';
export { formatName, concatBytes, derBitString, derExplicit, derOctetString, derOid, derSequence, derTlv } from '@ecert/pki';
