import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';
import { Subjects, sealTypeCode, type SealKind, type SealMakerSignCommand, type SealMakerSignReply, type SealPurpose } from '@ecert/contracts';
import { OID, type Signer } from '@ecert/pki';
import { buildSealV4, parseCertificate, SesInputError } from '@ecert/ses';
import { CertServiceClient } from '../cert-client/cert-service.client';

/** SES_Header.Vid of every seal ecert makes. */
export const SEAL_VENDOR_ID = 'ECERT';

/** What the seal maker is told about the seal it signs, and checks against the certificate bound. */
export type SealBinding = Omit<SealMakerSignCommand, 'data'>;

export interface SealSpec {
  esId: string;
  /** The seal id, bound certificate and unit, as the seal maker checks them. */
  binding: SealBinding;
  kind: SealKind;
  purpose?: SealPurpose | null;
  name: string;
  /** DER of the certificate the seal binds to (goes into certList, type 1). */
  certificateDer: Uint8Array;
  createDate: Date;
  validFrom: Date;
  validTo: Date;
  png: Uint8Array;
  widthMm: number;
  heightMm: number;
}

/** Input names of libs/ses → the API fields a client sent. */
const FIELD_OF: Record<string, string> = {
  name: 'name',
  'picture.widthMm': 'widthMm',
  'picture.heightMm': 'heightMm',
  'picture.data': 'image',
  validEnd: 'validTo',
  validStart: 'validFrom',
  createDate: 'validFrom',
};

/**
 * Builds GB/T 38540 v4 seals with libs/ses. The seal maker's key stays in the cert-service: the
 * signer here sends DER(SES_SealInfo) over NATS (Subjects.cert.sealMakerSign) with the seal id,
 * the bound certificate and the unit, which the maker checks before it signs, and gets the
 * signature back; buildSealV4 checks it against the maker certificate before returning.
 */
@Injectable()
export class SealFactory {
  constructor(private readonly certs: CertServiceClient) {}

  async build(spec: SealSpec): Promise<Uint8Array> {
    const maker = await this.makerCertificate();
    const signer: Signer = {
      algorithm: 'SM2',
      signatureAlgorithmOid: OID.sm2WithSm3,
      spki: maker.spki,
      sign: async (data) => {
        const command: SealMakerSignCommand = { data: Buffer.from(data).toString('base64'), ...spec.binding };
        const reply = await this.certs.sealMakerSign(command);
        if (reply.certificate !== Buffer.from(maker.der).toString('base64')) {
          // The seal-maker certificate was replaced since it was cached: start again with the new one.
          this.certs.forgetCas();
          throw new ProblemError(503, ProblemCode.serviceUnavailable, '制章者证书已更换 (seal maker changed)', 'The seal-maker certificate changed during the request; retry');
        }
        return new Uint8Array(Buffer.from(reply.signature, 'base64'));
      },
    };
    try {
      return await buildSealV4({
        vendorId: SEAL_VENDOR_ID,
        esId: spec.esId,
        type: sealTypeCode(spec.kind, spec.purpose ?? undefined),
        name: spec.name,
        certList: { type: 1, certs: [spec.certificateDer] },
        createDate: spec.createDate,
        validStart: spec.validFrom,
        validEnd: spec.validTo,
        picture: { type: 'PNG', data: spec.png, widthMm: spec.widthMm, heightMm: spec.heightMm },
        makerCertificate: maker.der,
        makerSigner: signer,
      });
    } catch (e) {
      if (e instanceof SesInputError && FIELD_OF[e.field]) {
        throw ProblemError.badRequest(ProblemCode.validationFailed, FIELD_OF[e.field], e.detail);
      }
      throw e;
    }
  }

  /** The SM2 seal-maker certificate, from the cert-service's CA list. */
  async makerCertificate(): Promise<{ der: Uint8Array; spki: Uint8Array; notAfter: Date }> {
    const cas = await this.certs.caList();
    const ca = cas.find((c) => c.role === 'seal-maker' && c.family === 'sm2');
    if (!ca) throw new ProblemError(503, ProblemCode.serviceUnavailable, '制章者证书缺失 (no seal maker)', 'The cert-service has no SM2 seal-maker certificate: run npm run ca:init');
    const der = pemToDer(ca.certificatePem);
    const parsed = parseCertificate(der);
    return { der, spki: parsed.spki, notAfter: parsed.notAfter };
  }

  /**
   * The latest validTo a seal may have: its certificate's notAfter, and never past the seal maker's
   * (a seal outliving its maker certificate would stop verifying before it expires).
   */
  async latestValidTo(certificateNotAfter: Date): Promise<Date> {
    const { notAfter } = await this.makerCertificate();
    const t = Math.min(certificateNotAfter.getTime(), notAfter.getTime());
    return new Date(Math.floor(t / 1000) * 1000);
  }
}

export function pemToDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
