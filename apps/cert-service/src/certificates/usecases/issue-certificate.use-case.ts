import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, requestContext } from '@ecert/common';
import type { CertificateView, IssueCertificateCommand } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { CertificateEntity } from '../certificate.entity';
import { validateSubscriberIdentity } from '../subscriber-identity';
import { acceptCsrOrProblem } from '../csr-acceptance';
import { EndEntityIssuer } from '../end-entity-issuer.service';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { CompromisedKeyChecker } from '../compromised-key.checker';
import { insertIssuedCertificate } from '../issued-certificate.writer';
import { certificateReceipts } from '../certificate-command-receipts';
import { CertificateQueries } from '../queries/certificate-queries.service';
import { mediumOf, UkeyMedium } from '../../ukeys/ukey-medium.service';
import { assertAccountHasRoom } from '../account-certificate-limit';

export interface IssueOptions {
  /**
   * The key pair is in the platform's key store (platform-keys): the certificate is marked
   * platformHeld and `record` writes the key's record in the issuance's own transaction, so there
   * is never a platform-held certificate without its key record, nor a record without it.
   */
  platformKey?: { record(m: EntityManager, certificate: CertificateEntity): Promise<void> };
}

/**
 * 申请 / 申请第二、三、四张证书: validates the subscriber and the CSR, enforces the per-account limit
 * and issues under the issuing CA of the key's family, all or nothing. With an idempotency key a
 * retry gets the certificate the first attempt issued, as it is now: never a second one. With a
 * ukeySerial (and the application) the certificate is recorded on that UKey, which is initialised
 * in the same transaction.
 */
@Injectable()
export class IssueCertificateUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly issuer: EndEntityIssuer,
    private readonly views: CertificateViewMapper,
    private readonly compromisedKeys: CompromisedKeyChecker,
    private readonly queries: CertificateQueries,
    private readonly media: UkeyMedium,
  ) {}

  async execute(cmd: IssueCertificateCommand, opts: IssueOptions = {}): Promise<CertificateView> {
    const receipt = certificateReceipts.claimOf('issue', cmd);
    const identity = validateSubscriberIdentity(cmd);
    assertInScope(requestContext.getStore(), identity.regionCode, `unit ${identity.uscc}`);
    const csr = acceptCsrOrProblem(cmd.csr);
    const medium = mediumOf(cmd);
    // A retry of an issuance that ran is answered before signing anything.
    const earlier = receipt && (await certificateReceipts.find(this.ds, receipt));
    if (earlier) return this.queries.get(earlier);
    await this.compromisedKeys.assertNotCompromised(csr.subjectSpki, 'csr', csr.subjectKeyFingerprint);
    if (medium) await this.media.precheck(this.ds.manager, medium, identity);
    // Signed before the transaction: the connection and the account lock are then held only for
    // the count and the insert, never across CPU work. A refused request costs one signature.
    const issued = await this.issuer.issue(identity, csr, cmd.validityDays);
    const outcome = await this.ds.transaction(async (m): Promise<{ winner: string } | { saved: CertificateEntity }> => {
      // A concurrent attempt with the same key committed while this one signed: its certificate
      // is the answer, and this one's is never stored (nor published).
      const winner = receipt && (await certificateReceipts.lockAndFind(m, receipt));
      if (winner) return { winner };
      // One issuance per account at a time, so two parallel requests cannot both take the 4th slot.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`account:${identity.uscc}:${identity.accountNo}`]);
      await assertAccountHasRoom(m, identity);
      // After the account lock: the UKey's lock is always taken second, by every issuance alike.
      const ukey = medium && (await this.media.reserve(m, medium, identity));
      const entity = m.create(CertificateEntity, {
        serial: issued.serial,
        caId: issued.caId,
        profile: identity.profile,
        keyAlgorithm: issued.keyAlgorithm,
        status: 'active',
        subject: issued.subject,
        uscc: identity.uscc,
        accountNo: identity.accountNo,
        regionCode: identity.regionCode,
        unitName: identity.unitName,
        personName: identity.personName ?? null,
        personIdMasked: identity.idNumberMasked ?? null,
        personIdHash: issued.personIdHash ?? null,
        spkiSha256: issued.spkiSha256,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        der: Buffer.from(issued.der),
        statusChangedAt: new Date(),
        ukeySerial: medium?.ukeySerial ?? null,
        platformHeld: !!opts.platformKey,
      });
      // The certificate, its history row and its event: one statement (see insertIssuedCertificate).
      await insertIssuedCertificate(m, entity);
      const row = entity;
      if (ukey && medium) await this.media.recordIssued(m, ukey, medium, row);
      if (opts.platformKey) await opts.platformKey.record(m, row);
      if (receipt) await certificateReceipts.record(m, receipt, row.serial);
      return { saved: row };
    });
    if ('winner' in outcome) return this.queries.get(outcome.winner);
    this.relay.kick();
    return this.views.toView(outcome.saved);
  }
}
