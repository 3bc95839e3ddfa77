import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { AuthenticateCertificateCommand, AuthenticatedCertificate } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import {
  certificateFields,
  type CertificateFields,
  decodePem,
  effectiveStatus,
  extendedKeyUsageOf,
  issuerFromCertificate,
  PROFILE_OID,
  purposeAllowed,
  serialKey,
  verifySignature,
} from '@ecert/pki';
import { CertificateEntity } from '../certificate.entity';
import { CaRegistry } from '../../ca/ca-registry.service';
import { ActivityBuffer } from '../../batch/activity/activity-buffer.service';

const refuse = (detail: string) => new ProblemError(401, ProblemCode.unauthorized, '证书认证失败 (certificate not accepted)', detail, 'certificate');

/**
 * Checks a certificate presented at login (and as a client's TLS credential): issued by one of
 * ecert's CAs (signature verified against the issuing CA and the exact bytes on record), meant
 * for client authentication (an extendedKeyUsage without clientAuth is refused; certificates
 * issued before subscriber profiles carried an EKU have none and are accepted, RFC 5280's "any
 * purpose"), inside its validity, neither frozen nor revoked. A successful check is activity of the certificate (第二十条: two years without activity
 * makes it invalid), recorded through the activity buffer (batched, not a write per login).
 */
@Injectable()
export class AuthenticateCertificateUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly registry: CaRegistry,
    private readonly activity: ActivityBuffer,
  ) {}

  async execute(cmd: AuthenticateCertificateCommand): Promise<AuthenticatedCertificate> {
    let der: Uint8Array;
    try {
      const text = String(cmd?.certificate ?? '').trim();
      der = text.includes('-----BEGIN') ? decodePem(text, ['CERTIFICATE']).der : new Uint8Array(Buffer.from(text, 'base64'));
      if (!der.length) throw new Error('empty');
    } catch {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'certificate', 'certificate must be a PEM or base64 DER X.509 certificate');
    }
    let parsed: Certificate;
    let fields: CertificateFields;
    let purposes: string[] | undefined;
    try {
      parsed = AsnConvert.parse(der, Certificate);
      fields = certificateFields(der);
      purposes = extendedKeyUsageOf(der);
    } catch {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'certificate', 'certificate cannot be decoded');
    }
    const serial = serialKey(fields.serialNumber);
    const row = await this.ds.getRepository(CertificateEntity).findOneBy({ serial });
    if (!row || !Buffer.from(row.der).equals(Buffer.from(der))) throw refuse('the certificate was not issued by this platform');
    if (!purposeAllowed(purposes, PROFILE_OID.kpClientAuth)) {
      throw refuse(`the certificate is not for client authentication: its extendedKeyUsage (${purposes!.join(', ') || 'empty'}) lacks clientAuth (${PROFILE_OID.kpClientAuth})`);
    }
    const ca = this.registry.get(row.caId);
    // A revoked issuing CA (or root) vouches for nothing it signed, whatever each certificate's own status.
    if (!this.registry.usable(row.caId)) throw refuse(`the issuing CA ${row.caId} has been revoked`);
    const issuer = issuerFromCertificate(new Uint8Array(ca.certificate));
    const signatureOk = verifySignature({
      spki: issuer.spki,
      signatureAlgorithmOid: parsed.signatureAlgorithm.algorithm,
      data: fields.tbs,
      signature: new Uint8Array(parsed.signatureValue),
    });
    if (!signatureOk) throw refuse('the certificate signature does not verify against its issuing CA');
    const now = new Date();
    if (row.notBefore > now) throw refuse('the certificate is not yet valid');
    const status = effectiveStatus(row.status, row.notAfter, now);
    if (status !== 'active') throw refuse(`the certificate is ${status}${row.status === 'frozen' ? ' (reported lost)' : ''}`);
    this.activity.record(serial, 'certificate_login', now);
    return {
      serial,
      caId: row.caId,
      profile: row.profile,
      subject: row.subject,
      regionCode: row.regionCode,
      spkiBase64: Buffer.from(fields.spki).toString('base64'),
      keyAlgorithm: row.keyAlgorithm,
      notAfter: row.notAfter.toISOString(),
    };
  }
}
