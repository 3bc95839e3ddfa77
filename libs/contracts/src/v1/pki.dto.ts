export interface CaView {
  caId: string;
  role: 'root' | 'issuing' | 'ocsp' | 'seal-maker';
  family: 'sm2' | 'ecdsa' | 'rsa';
  subject: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  certificatePem: string;
}

export interface CaCertificateQuery { caId: string }
export interface CrlQuery { caId: string; delta: boolean }
/** Binary payloads travel base64-encoded inside JSON. */
export interface BinaryReply { base64: string; contentType: string; maxAgeSeconds?: number }
export interface OcspQuery { requestBase64: string }
export interface OcspInvalidation { serials: string[]; caId?: string }
