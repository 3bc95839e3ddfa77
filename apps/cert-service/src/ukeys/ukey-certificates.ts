import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { CertificateTransitionRunner, type TransitionSpec } from '../certificates/certificate-transition.runner';
import type { CertificateEntity } from '../certificates/certificate.entity';
import { freezeSpec } from '../certificates/usecases/freeze-certificate.use-case';
import { unfreezeSpec } from '../certificates/usecases/unfreeze-certificate.use-case';
import { revokeSpec } from '../certificates/usecases/revoke-certificate.use-case';

export type UkeyCertificateEffect = { kind: 'freeze' } | { kind: 'unfreeze'; serials: readonly string[] } | { kind: 'revoke'; reason: 'keyCompromise' | 'superseded' };

/**
 * A UKey holds its certificates: reporting it lost freezes all of them at once, finding it
 * unfreezes the ones that report froze, and its permanent loss or termination revokes those still
 * live. Each certificate goes through the certificate lifecycle's own steps (row lock, history,
 * its event, the receipt-less transition runner) inside the UKey step's transaction, so the UKey
 * and its certificates change together or not at all; after the commit the caller hands the rows
 * to `afterCommit` (events out, OCSP caches dropped everywhere, CRLs reissued).
 */
@Injectable()
export class UkeyCertificates {
  constructor(private readonly runner: CertificateTransitionRunner) {}

  async apply(m: EntityManager, ukeySerial: string, effect: UkeyCertificateEffect, comment: string): Promise<CertificateEntity[]> {
    const candidates = await this.candidates(m, ukeySerial, effect);
    const spec: TransitionSpec =
      effect.kind === 'freeze' ? freezeSpec(comment) : effect.kind === 'unfreeze' ? unfreezeSpec(comment) : revokeSpec(effect.reason, comment);
    const changed: CertificateEntity[] = [];
    // One order for every step, so two UKey steps never wait on each other's certificates.
    for (const serial of candidates) {
      try {
        changed.push((await this.runner.transitionIn(m, serial, spec)).row);
      } catch (e) {
        // Changed (or expired) since it was listed: it is already where this step would put it,
        // or beyond it. The check runs before anything is written, so the transaction goes on.
        if (e instanceof ProblemError && e.code === ProblemCode.illegalTransition) continue;
        throw e;
      }
    }
    return changed;
  }

  afterCommit(rows: readonly CertificateEntity[], effect: UkeyCertificateEffect | undefined): Promise<void> {
    return this.runner.afterCommit(rows, effect?.kind !== 'unfreeze');
  }

  private async candidates(m: EntityManager, ukeySerial: string, effect: UkeyCertificateEffect): Promise<string[]> {
    const live = effect.kind === 'freeze' ? `status = 'active'` : effect.kind === 'unfreeze' ? `status = 'frozen' AND serial = ANY($2)` : `status IN ('active','frozen')`;
    const params: unknown[] = effect.kind === 'unfreeze' ? [ukeySerial, [...effect.serials]] : [ukeySerial];
    const rows: { serial: string }[] = await m.query(`SELECT serial FROM "cert"."certificate" WHERE ukey_serial = $1 AND ${live} AND not_after > now() ORDER BY serial`, params);
    return rows.map((r) => r.serial);
  }
}
