import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { CertificateView, IssueCertificateCommand } from '@ecert/contracts';
import { DATA_SOURCE, OUTBOX_RELAY, type OutboxRelay } from '@ecert/messaging';
import { CertificateEntity } from '../certificate.entity';
import { validateSubscriberIdentity } from '../subscriber-identity';
import { acceptCsrOrProblem } from '../csr-acceptance';
import { EndEntityIssuer } from '../end-entity-issuer.service';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { insertIssuedCertificate } from '../issued-certificate.writer';
import { certificateReceipts } from '../certificate-command-receipts';
import { CertificateQueries } from '../queries/certificate-queries.service';
import { mediumOf, UkeyMedium } from '../../ukeys/ukey-medium.service';
import { accountCertificateLimit, accountLockKey, assertAccountHasRoom } from '../account-certificate-limit';
import { CompromisedKeyChecker } from '../compromised-key.checker';
import { RecentIssuanceRefusals } from '../recent-issuance-refusals';
import type { SubscriberIdentity } from '../subscriber-identity';
import type { IssuedCertificate } from '../end-entity-issuer.service';
import { DiscardedCertificateRecorder, discardReasonOf, RETRY_ANSWERED } from '../discarded-certificate.recorder';

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
  private readonly refusals = new RecentIssuanceRefusals();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly issuer: EndEntityIssuer,
    private readonly views: CertificateViewMapper,
    private readonly queries: CertificateQueries,
    private readonly media: UkeyMedium,
    private readonly discarded: DiscardedCertificateRecorder,
    private readonly compromisedKeys: CompromisedKeyChecker,
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
    if (medium) await this.media.precheck(this.ds.manager, medium, identity);
    const accountKey = accountLockKey(identity);
    // A refusal repeated within minutes is answered before signing (RecentIssuanceRefusals). Not for
    // a command with an idempotency key: a retry whose first attempt took the account's last slot
    // and is committing now must get that certificate (lockAndFind below), not a 409.
    if (!receipt) await this.checkRecentRefusals(identity, csr, accountKey);
    // Signed before the database is asked anything more: the connection and the account lock are
    // then held only for the guard and the insert, never across CPU work. A refused request (the
    // account full, the key revoked for compromise: both judged by the guard, in the statement that
    // writes) costs one signature, of a certificate that is never returned nor stored — except as
    // a discarded certificate, so the CA key's every signature is accounted for.
    const issued = await this.issuer.issue(identity, csr, cmd.validityDays);
    let kept: { stored: CertificateEntity } | { winner: string };
    try {
      kept = await this.keep(issued, identity, medium, receipt, opts);
    } catch (e) {
      this.discarded.discard(issued, { name: 'issue', regionCode: identity.regionCode }, discardReasonOf(e));
      this.noteRefusal(e, accountKey, csr.subjectKeyFingerprint);
      throw e;
    }
    if (accountCertificateLimit(identity) !== null) this.refusals.clearAccount(accountKey);
    if ('stored' in kept) return this.views.toView(kept.stored);
    this.discarded.discard(issued, { name: 'issue', regionCode: identity.regionCode }, { reason: RETRY_ANSWERED, detail: `answered with ${kept.winner}` });
    return this.queries.get(kept.winner);
  }

  private async checkRecentRefusals(identity: SubscriberIdentity, csr: ReturnType<typeof acceptCsrOrProblem>, accountKey: string): Promise<void> {
    try {
      if (this.refusals.keyRefused(csr.subjectKeyFingerprint)) await this.compromisedKeys.assertNotCompromised(csr.subjectSpki, 'csr', csr.subjectKeyFingerprint);
      if (this.refusals.accountRefused(accountKey)) await assertAccountHasRoom(this.ds.manager, identity);
    } catch (e) {
      this.noteRefusal(e, accountKey, csr.subjectKeyFingerprint);
      throw e;
    }
  }

  private noteRefusal(e: unknown, accountKey: string, spkiSha256: string): void {
    if (!(e instanceof ProblemError)) return;
    if (e.code === ProblemCode.certificateLimitReached) this.refusals.noteAccount(accountKey);
    if (e.code === ProblemCode.keyCompromised) this.refusals.noteKey(spkiSha256);
  }

  /** Stores a signed certificate (committed when this returns), or finds the serial a concurrent retry with the same key stored instead. */
  private async keep(
    issued: IssuedCertificate,
    identity: SubscriberIdentity,
    medium: ReturnType<typeof mediumOf>,
    receipt: ReturnType<typeof certificateReceipts.claimOf>,
    opts: IssueOptions,
  ): Promise<{ stored: CertificateEntity } | { winner: string }> {
    if (!receipt && !medium && !opts.platformKey) {
      // One statement: the guard (account lock, limit, key) and the three rows, its own transaction.
      const entity = this.entityOf(issued, identity, medium, opts);
      await insertIssuedCertificate(this.ds.manager, entity, identity);
      this.relay.kick();
      return { stored: entity };
    }
    const outcome = await this.ds.transaction(async (m): Promise<{ winner: string } | { stored: CertificateEntity }> => {
      // A concurrent attempt with the same key committed while this one signed: its certificate
      // is the answer, and this one's is never stored (nor published).
      const winner = receipt && (await certificateReceipts.lockAndFind(m, receipt));
      if (winner) return { winner };
      // One issuance per account at a time, so two parallel requests cannot both take the 4th slot
      // (the guard in insertIssuedCertificate takes it too: here first, for the lock order).
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [accountLockKey(identity)]);
      // After the account lock: the UKey's lock is always taken second, by every issuance alike.
      const ukey = medium && (await this.media.reserve(m, medium, identity));
      const entity = this.entityOf(issued, identity, medium, opts);
      // The guard, the certificate, its history row and its event: one statement (see insertIssuedCertificate).
      await insertIssuedCertificate(m, entity, identity);
      if (ukey && medium) await this.media.recordIssued(m, ukey, medium, entity);
      if (opts.platformKey) await opts.platformKey.record(m, entity);
      if (receipt) await certificateReceipts.record(m, receipt, entity.serial);
      return { stored: entity };
    });
    if ('stored' in outcome) this.relay.kick();
    return outcome;
  }

  private entityOf(issued: IssuedCertificate, identity: SubscriberIdentity, medium: ReturnType<typeof mediumOf>, opts: IssueOptions): CertificateEntity {
    return this.ds.manager.create(CertificateEntity, {
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
  }
}
