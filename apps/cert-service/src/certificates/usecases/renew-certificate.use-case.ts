import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CertificateView, RenewCertificateCommand } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { maskResidentId, ProblemCode, ProblemError } from '@ecert/common';
import { readPersonalIdCode } from '@ecert/pki';
import { CertificateEntity } from '../certificate.entity';
import { CertificateTransitionRunner, normalizeSerial } from '../certificate-transition.runner';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { CompromisedKeyChecker } from '../compromised-key.checker';
import { certificateVersion, recordCertificateEvent } from '../certificate-events';
import { recordHistory } from '../certificate-history.writer';
import { acceptCsrOrProblem } from '../csr-acceptance';
import { EndEntityIssuer, type IssuedCertificate } from '../end-entity-issuer.service';
import { DiscardedCertificateRecorder, discardReasonOf } from '../discarded-certificate.recorder';
import type { SubscriberIdentity } from '../subscriber-identity';
import { lookupRegion } from '@ecert/common';
import { certificateReceipts } from '../certificate-command-receipts';
import { CertificateQueries } from '../queries/certificate-queries.service';

/**
 * 更新: a new certificate for the same subscriber and a new key; the old certificate is revoked
 * as superseded in the same transaction, so there is never a moment with neither or both valid.
 * With an idempotency key a retry gets the successor the first attempt issued, as it is now.
 */
@Injectable()
export class RenewCertificateUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly runner: CertificateTransitionRunner,
    private readonly issuer: EndEntityIssuer,
    private readonly views: CertificateViewMapper,
    private readonly compromisedKeys: CompromisedKeyChecker,
    private readonly queries: CertificateQueries,
    private readonly discarded: DiscardedCertificateRecorder,
  ) {}

  async execute(cmd: RenewCertificateCommand): Promise<CertificateView> {
    const receipt = certificateReceipts.claimOf('renew', cmd);
    normalizeSerial(cmd.serial);
    const csr = acceptCsrOrProblem(cmd.csr);
    // A retry of a renewal that ran gets its successor, whatever became of the new key since.
    const earlier = receipt && (await certificateReceipts.find(this.ds, receipt));
    if (earlier) return this.queries.get(earlier);
    await this.compromisedKeys.assertNotCompromised(csr.subjectSpki);
    // Signed inside the transaction (under the old row's lock): when that then fails, the
    // successor is recorded as discarded, so the CA key's every signature is accounted for.
    let signed: { issued: IssuedCertificate; regionCode: string } | undefined;
    const result = await this.runner.run(cmd.serial, {
      action: 'renew',
      receipt,
      reason: 'superseded',
      comment: 'renewed',
      apply: (r, now) => {
        r.revokedAt = now;
        r.revocationReason = 'superseded';
      },
      after: async (m, old) => {
        const issued = await this.issuer.issue(identityOf(old), csr, cmd.validityDays);
        signed = { issued, regionCode: old.regionCode };
        const successor = await m.save(
          m.create(CertificateEntity, {
            serial: issued.serial,
            caId: issued.caId,
            profile: old.profile,
            keyAlgorithm: issued.keyAlgorithm,
            status: 'active',
            subject: issued.subject,
            uscc: old.uscc,
            accountNo: old.accountNo,
            regionCode: old.regionCode,
            unitName: old.unitName,
            personName: old.personName,
            personIdMasked: old.personIdMasked,
            personIdHash: issued.personIdHash ?? old.personIdHash,
            spkiSha256: issued.spkiSha256,
            notBefore: issued.notBefore,
            notAfter: issued.notAfter,
            der: Buffer.from(issued.der),
            statusChangedAt: new Date(),
            replaces: old.serial,
            // The new key is generated on the same UKey: the successor stays on it.
            ukeySerial: old.ukeySerial,
          }),
        );
        old.replacedBy = successor.serial;
        await m.update(CertificateEntity, { serial: old.serial }, { replacedBy: successor.serial });
        await recordHistory(m, { serial: successor.serial, action: 'issue', fromStatus: null, toStatus: 'active', comment: `renewal of ${old.serial}` });
        // Both units travel along, so a consumer can check the successor belongs to the same unit
        // before it moves anything (seals) from the old certificate to the new one.
        await recordCertificateEvent(m, 'certificate.renewed', successor, {
          oldSerial: old.serial,
          newSerial: successor.serial,
          oldUscc: old.uscc,
          oldAccountNo: old.accountNo,
          newUscc: successor.uscc,
          newAccountNo: successor.accountNo,
          oldVersion: await certificateVersion(m, old.serial),
        });
        return successor;
      },
    }).catch((e: unknown) => {
      if (signed) this.discarded.discard(signed.issued, { name: 'renew', regionCode: signed.regionCode }, discardReasonOf(e));
      throw e;
    });
    return this.views.toView(result);
  }
}

/**
 * The subscriber of an existing certificate. The resident ID is known by its stored hash and
 * masked form; the number itself only if the old certificate carries it in clear (clear mode, or
 * issued before hashes were stored), which lets the successor follow the current mode and salt.
 */
function identityOf(c: CertificateEntity): SubscriberIdentity {
  const region = lookupRegion(c.regionCode);
  if (!region) throw new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', `the stored region code ${c.regionCode} of certificate ${c.serial} is unknown`);
  const identity: SubscriberIdentity = {
    profile: c.profile,
    unitName: c.unitName,
    uscc: c.uscc,
    accountNo: c.accountNo,
    regionCode: c.regionCode,
    province: region.provinceName,
    city: region.cityName ?? region.countyName ?? region.provinceName,
  };
  if (c.profile === 'personal') {
    const code = readPersonalIdCode(new Uint8Array(c.der));
    identity.personName = c.personName ?? '';
    if (code?.kind === 'clear') identity.idNumber = code.idNumber;
    identity.idNumberHash = c.personIdHash ?? (code?.kind === 'hash' ? code.hash : undefined);
    identity.idNumberMasked = c.personIdMasked ?? (identity.idNumber ? maskResidentId(identity.idNumber) : undefined);
    if (!identity.idNumber && !identity.idNumberHash) throw new ProblemError(500, ProblemCode.internal, '内部错误 (internal error)', `the stored personal identity of certificate ${c.serial} is incomplete`);
  }
  return identity;
}
