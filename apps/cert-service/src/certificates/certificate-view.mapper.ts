import { Injectable } from '@nestjs/common';
import type { CertificateView } from '@ecert/contracts';
import { effectiveStatus, encodePem } from '@ecert/pki';
import { CaRegistry } from '../ca/ca-registry.service';
import type { CertificateEntity } from './certificate.entity';

/** What the API shows of a certificate: never key material, the ID number only masked. */
@Injectable()
export class CertificateViewMapper {
  constructor(private readonly registry: CaRegistry) {}

  toView(c: CertificateEntity, now = new Date()): CertificateView {
    const chain = this.registry.chain(c.caId).map((ca) => encodePem('CERTIFICATE', new Uint8Array(ca.certificate)));
    return {
      serial: c.serial,
      caId: c.caId,
      profile: c.profile,
      keyAlgorithm: c.keyAlgorithm,
      status: effectiveStatus(c.status, c.notAfter, now),
      subject: c.subject,
      unit: { name: c.unitName, uscc: c.uscc, regionCode: c.regionCode, accountNo: c.accountNo },
      ...(c.profile === 'personal' ? { person: { name: c.personName ?? '', idNumberMasked: c.personIdMasked ?? '' } } : {}),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      ...(c.revokedAt ? { revokedAt: c.revokedAt.toISOString(), revocationReason: c.revocationReason ?? undefined } : {}),
      ...(c.status === 'frozen' && c.frozenAt ? { frozenAt: c.frozenAt.toISOString(), revocationReason: 'certificateHold' } : {}),
      ...(c.status === 'invalid' && c.invalidReason && c.invalidatedAt ? { invalidReason: c.invalidReason, invalidatedAt: c.invalidatedAt.toISOString() } : {}),
      ...(c.replacedBy ? { replacedBy: c.replacedBy } : {}),
      ...(c.replaces ? { replaces: c.replaces } : {}),
      ...(c.ukeySerial ? { ukeySerial: c.ukeySerial } : {}),
      // The row keeps its own status when its issuing CA (or the root) is revoked; say so, since
      // relying parties refuse it (root CRL) and so must everyone who asks ecert about it.
      ...(this.registry.usable(c.caId) ? {} : { issuerRevoked: true }),
      ...(c.platformHeld ? { platformHeld: true } : {}),
      certificatePem: encodePem('CERTIFICATE', new Uint8Array(c.der)),
      chainPem: chain,
    };
  }
}
