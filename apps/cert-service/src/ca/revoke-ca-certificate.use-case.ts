import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { assertInScope, NATIONAL_SCOPE, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { CaRevocationResult, CaView, RevokeCaCommand } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { certificateFields, planCaRevocation, publicKeyFingerprint, serialKey } from '@ecert/pki';
import { CaEntity } from './ca.entity';
import { CaRevocationEntity } from './ca-revocation.entity';
import { CaRegistry } from './ca-registry.service';
import { InitializeCasUseCase } from './initialize-cas.use-case';
import { RevocationChangeNotifier } from '../revocation/revocation-change.notifier';

/**
 * 吊销 CA 证书: revokes the certificate of an issuing CA, OCSP signer or seal maker. The issuer's
 * CRL lists it and the issuer's OCSP answers revoked (the root's, by the root key, for an issuing
 * CA); the registry refuses the revoked key, and everything under it, from then on. A revoked OCSP
 * signer or seal maker is replaced at once by a new key (the same ca:init step that runs at every
 * start); a revoked issuing CA is not: its family stops until an operator re-keys it.
 */
@Injectable()
export class RevokeCaCertificateUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
    private readonly init: InitializeCasUseCase,
    private readonly notifier: RevocationChangeNotifier,
  ) {}

  async execute(cmd: RevokeCaCommand): Promise<CaRevocationResult> {
    const ctx = requestContext.getStore();
    // The CA hierarchy serves every region: only national scope may take part of it down.
    assertInScope(ctx, NATIONAL_SCOPE, 'a CA certificate');
    const caId = typeof cmd?.caId === 'string' ? cmd.caId : '';
    if (!this.registry.find(caId)) throw ProblemError.notFound(ProblemCode.caNotFound, `No CA with id '${caId}'`);

    const { ca, revocation } = await this.ds.transaction(async (m) => {
      // The row lock orders this against a concurrent revocation of the same CA.
      const ca = await m.getRepository(CaEntity).findOne({ where: { id: caId }, lock: { mode: 'pessimistic_write' } });
      if (!ca) throw ProblemError.notFound(ProblemCode.caNotFound, `No CA with id '${caId}'`);
      const serial = serialKey(ca.serial);
      const already = ca.parentId ? await m.getRepository(CaRevocationEntity).existsBy({ issuerCaId: ca.parentId, serial }) : false;
      const plan = planCaRevocation(ca.role, cmd?.reason, already);
      const stoppedBy = plan.ok && ca.parentId ? this.registry.revokedInChainOf(ca.parentId) : undefined;
      if (stoppedBy) {
        // Its issuer can sign no CRL or OCSP answer saying so, and nothing replaces it under a revoked CA.
        throw ProblemError.conflict(ProblemCode.illegalTransition, `${caId} already signs nothing: ${stoppedBy.id} above it is revoked`, { currentStatus: 'revoked', revokedCaId: stoppedBy.id });
      }
      if (!plan.ok) {
        if (plan.status === 409) throw ProblemError.conflict(ProblemCode.illegalTransition, `${caId}: ${plan.message}`, { currentStatus: 'revoked' });
        throw ProblemError.badRequest(ProblemCode.validationFailed, plan.field, plan.message);
      }
      const comment = typeof cmd.comment === 'string' ? cmd.comment.slice(0, 500) : null;
      // No CRL lock: the row's created_xid tells the issuer's next delta whether its base saw this (see CrlGenerator).
      const [{ t }] = await m.query('SELECT clock_timestamp() AS t');
      const revocation = m.create(CaRevocationEntity, {
        issuerCaId: ca.parentId!,
        serial,
        caId: ca.id,
        role: ca.role as CaRevocationEntity['role'],
        subject: ca.subject,
        certificate: ca.certificate,
        spkiSha256: publicKeyFingerprint(certificateFields(new Uint8Array(ca.certificate)).spki),
        notAfter: ca.notAfter,
        revokedAt: t,
        reason: plan.reason,
        comment,
        requestId: ctx?.requestId ?? null,
        clientId: ctx?.clientId ?? null,
        actor: ctx?.actor ?? null,
      });
      await m.insert(CaRevocationEntity, revocation);
      return { ca, revocation };
    });
    this.logger.warn({ caId, serial: revocation.serial, reason: revocation.reason, actor: revocation.actor, clientId: revocation.clientId }, 'CA certificate revoked');

    // From here the revoked key signs nothing in this instance; then its replacement, if any.
    await this.registry.reload();
    const revokedView: CaView = this.registry.view(ca);
    let replacement: CaView | undefined;
    if (ca.role === 'ocsp' || ca.role === 'seal-maker') {
      const r = await this.init.execute([ca.family]);
      const fresh = this.registry.find(caId);
      if (r.replaced.includes(caId) && fresh) replacement = this.registry.view(fresh);
    }
    const stopped = this.registry.all().filter((c) => this.registry.revokedInChainOf(c.id)).map((c) => c.id).sort();
    // Other instances reload their CAs; cached OCSP answers (ours and the gateways') go; the
    // issuer's CRL is reissued.
    await this.notifier.changed([revocation.issuerCaId], [revocation.serial], true, true);
    return {
      revoked: { ...revokedView, revokedAt: revocation.revokedAt.toISOString(), revocationReason: revocation.reason, issuerCaId: revocation.issuerCaId },
      ...(replacement ? { replacement } : {}),
      stopped,
    };
  }
}
