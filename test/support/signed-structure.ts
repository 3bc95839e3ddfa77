import * as asn1js from 'asn1js';
import { sm2 } from 'sm-crypto-v2';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';

/**
 * Splits any SIGNED{...} structure (Certificate, CertificateList, BasicOCSPResponse) into the
 * exact signed bytes and the signature value, for checking with an independent implementation.
 */
export function splitSigned(der: Uint8Array): { tbs: Buffer; signature: Buffer } {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) throw new Error('not DER');
  const seq = parsed.result as asn1js.Sequence;
  const [tbs, , sig] = seq.valueBlock.value;
  return {
    tbs: Buffer.from(tbs.toBER(false)),
    signature: Buffer.from((sig as asn1js.BitString).valueBlock.valueHexView),
  };
}

/** The BasicOCSPResponse inside a successful OCSPResponse, and the responder certificate it carries. */
export function basicOcspResponse(der: Uint8Array): { basic: Buffer; responderCert?: Buffer } {
  const outer = asn1js.fromBER(der).result as asn1js.Sequence;
  const responseBytes = (outer.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const octets = responseBytes.valueBlock.value[1] as asn1js.OctetString;
  const basic = Buffer.from(octets.valueBlock.valueHexView);
  const basicSeq = asn1js.fromBER(basic).result as asn1js.Sequence;
  const certsTagged = basicSeq.valueBlock.value[3] as asn1js.Constructed | undefined;
  const firstCert = certsTagged ? (certsTagged.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] : undefined;
  return { basic, responderCert: firstCert ? Buffer.from(firstCert.toBER(false)) : undefined };
}

/** Uncompressed SM2 public key (04||x||y) of a certificate. */
export function sm2PublicKeyHex(certDer: Uint8Array): string {
  const cert = AsnConvert.parse(certDer, Certificate);
  return Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey).toString('hex');
}

/** Verification by sm-crypto-v2, an implementation independent of ecert's own SM2 code. */
export function sm2VerifyIndependently(tbs: Buffer, derSignature: Buffer, publicKeyHex: string): boolean {
  return sm2.doVerifySignature(new Uint8Array(tbs), derSignature.toString('hex'), publicKeyHex, { der: true, hash: true, userId: '1234567812345678' });
}
