/**
 * The data model of GB/T 38540-2020 (SES_Seal / SES_Signature version 4) and its predecessor
 * GM/T 0031-2014 (version 1). Field names follow the standards; byte fields hold DER or raw bytes
 * as they appear inside the OCTET/BIT STRINGs.
 *
 * SES_Seal v4 ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING, signatureAlgID OID, signedValue BIT STRING }
 * SESeal   v1 ::= SEQUENCE { esealInfo SES_SealInfo, signInfo SEQUENCE { cert OCTET STRING, signatureAlgorithm OID, signData BIT STRING } }
 * SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo, picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
 */

/** The layout version, detected from the structure (not from the header's version number). */
export type SealVersion = 1 | 4;

export interface SesHeader {
  /** Always "ES". */
  readonly id: string;
  /** 4 for GB/T 38540; 1 (sometimes 2 or 3) for GM/T 0031 seals. */
  readonly version: number;
  /** Vid: the seal-system vendor's identifier. */
  readonly vendorId: string;
}

/** CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING } */
export interface SesCertDigest {
  /** Free-form type; ecert writes the hash algorithm name ("SM3"). */
  readonly type: string;
  readonly value: Uint8Array;
}

/** An entry of a certificate list that is not an OCTET STRING (seen in real v1 seals: an IA5String "1"). */
export interface SesForeignCertListEntry {
  /** Position in the list. */
  readonly index: number;
  /** The element as received, kept so the seal re-encodes unchanged. */
  readonly tlv: Uint8Array;
  readonly description: string;
}

/**
 * certListType 1 = certificates (SEQUENCE OF OCTET STRING), 2 = certificate digests.
 * v1 seals have no certListType and always carry certificates.
 */
export type SesCertList =
  | {
      readonly type: 1;
      /** DER X.509 certificates of the signers this seal is bound to. */
      readonly certs: readonly Uint8Array[];
      /** Entries that are not certificates; decoding tolerates them, `certs` skips them. */
      readonly foreignEntries?: readonly SesForeignCertListEntry[];
    }
  | { readonly type: 2; readonly digests: readonly SesCertDigest[] };

export interface SesPropertyInfo {
  /** Seal type (v4: e.g. 1 official, 3 invoice, 4 contract…; v1: 1 unit, 2 personal). */
  readonly type: number;
  readonly name: string;
  readonly certList: SesCertList;
  readonly createDate: Date;
  readonly validStart: Date;
  readonly validEnd: Date;
}

/** SES_ESPictrueInfo (sic, the standards' spelling). */
export interface SesPictureInfo {
  /** As written in the seal: "PNG", "png", "GIF", "ofd"… See `pictureFormatOf`. */
  readonly type: string;
  readonly data: Uint8Array;
  /** Display width in millimetres. */
  readonly widthMm: number;
  /** Display height in millimetres. */
  readonly heightMm: number;
}

/** ExtData ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export interface SesExtData {
  readonly extnId: string;
  readonly critical: boolean;
  readonly extnValue: Uint8Array;
  /**
   * `critical FALSE` was present in the encoding (a DER violation real seals commit); kept so a
   * decoded seal re-encodes to the bytes that were signed. Never set it on new data.
   */
  readonly explicitCriticalFalse?: boolean;
}

/**
 * How an ExtensionDatas field was tagged: untagged per the standards, or [0] EXPLICIT (ofdrw's
 * TBS_Sign and others) / [0] IMPLICIT. Kept so decoded data re-encodes unchanged; ecert writes 'untagged'.
 */
export type ExtDatasForm = 'untagged' | 'explicit' | 'implicit';

export interface SesSealInfo {
  readonly header: SesHeader;
  /** esID: the seal's unique identifier. */
  readonly esId: string;
  readonly property: SesPropertyInfo;
  readonly picture: SesPictureInfo;
  readonly extDatas?: readonly SesExtData[];
  readonly extDatasForm?: ExtDatasForm;
}

/**
 * How the signature algorithm was written: the standards say a bare OBJECT IDENTIFIER; some
 * producers write an AlgorithmIdentifier SEQUENCE, with or without NULL parameters.
 */
export type SignatureAlgorithmForm = 'oid' | 'algorithm-identifier' | 'algorithm-identifier-null';

/** A seal of either version: v4's top-level cert/signature and v1's signInfo carry the same fields. */
export interface SesSeal {
  readonly version: SealVersion;
  readonly sealInfo: SesSealInfo;
  /** DER X.509 certificate of the seal maker (制章者). */
  readonly cert: Uint8Array;
  /** e.g. 1.2.156.10197.1.501 (SM2-with-SM3). */
  readonly signatureAlgorithmOid: string;
  readonly signatureAlgorithmForm?: SignatureAlgorithmForm;
  /** The BIT STRING contents: DER SEQUENCE{r,s} for SM2 (raw r||s tolerated when verifying). */
  readonly signature: Uint8Array;
}

export interface DecodedSeal extends SesSeal {
  /** The whole SES_Seal as received. */
  readonly der: Uint8Array;
  /** SES_SealInfo as received. */
  readonly sealInfoDer: Uint8Array;
  /**
   * The exact bytes the maker signed, built from received bytes only: v4 = SES_SealInfo;
   * v1 = SEQUENCE { sealInfo, cert, signatureAlgorithm } around the received elements.
   */
  readonly signedData: Uint8Array;
  /** Oddities that were tolerated (non-DER booleans, wrong string types, foreign cert-list entries…). */
  readonly warnings: readonly string[];
}

/**
 * TBS_Sign v4 ::= SEQUENCE { version INTEGER, eseal SES_Seal, timeInfo GeneralizedTime, dataHash BIT STRING,
 *                            propertyInfo IA5String, extDatas ExtensionDatas OPTIONAL }
 * TBS_Sign v1 ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo BIT STRING, dataHash BIT STRING,
 *                            propertyInfo IA5String, cert OCTET STRING, signatureAlgorithm OID }
 */
export interface SesTbsSign {
  readonly version: number;
  /** The embedded seal, byte for byte as it was issued (never re-encoded: its signature covers it). */
  readonly sealDer: Uint8Array;
  /** Signing time. v1 carries it inside a BIT STRING; it is parsed when it holds a recognisable time. */
  readonly timeInfo?: Date;
  /** v1 only: the timeInfo BIT STRING contents (a time string, or a timestamp). */
  readonly timeInfoBits?: Uint8Array;
  /** Hash of the signed document (SM3 for SM2 signatures). */
  readonly dataHash: Uint8Array;
  /** What was signed, e.g. the OFD path "/Doc_0/Signs/Sign_0/Signature.xml". */
  readonly propertyInfo: string;
  /** v4 only. */
  readonly extDatas?: readonly SesExtData[];
  readonly extDatasForm?: ExtDatasForm;
}

/**
 * SES_Signature v4 ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID, signature BIT STRING,
 *                                 timeStamp [0] BIT STRING OPTIONAL }
 * SES_Signature v1 ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }   (cert and algorithm inside TBS_Sign)
 */
export interface SesSignature {
  readonly version: SealVersion;
  readonly toSign: SesTbsSign;
  /** DER X.509 certificate of the signer. */
  readonly cert: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly signatureAlgorithmForm?: SignatureAlgorithmForm;
  /** DER SEQUENCE{r,s} for SM2; some producers write a raw 64-byte r||s, which verification accepts. */
  readonly signature: Uint8Array;
  /** v4 only: RFC 3161 timestamp over the signature value, as the BIT STRING contents. */
  readonly timeStamp?: Uint8Array;
  /** [0] EXPLICIT (ecert, ofdrw) or [0] IMPLICIT. */
  readonly timeStampForm?: 'explicit' | 'implicit';
}

export interface DecodedSesSignature extends SesSignature {
  readonly der: Uint8Array;
  /** TBS_Sign as received: the bytes the signer signed. */
  readonly tbsDer: Uint8Array;
  readonly seal: DecodedSeal;
  readonly warnings: readonly string[];
}
