import { Injectable } from '@nestjs/common';
import type { CertificateView, FreezeCertificateCommand } from '@ecert/contracts';
import { CertificateTransitionRunner, type TransitionSpec } from '../certificate-transition.runner';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { recordCertificateEvent } from '../certificate-events';
import { certificateReceipts } from '../certificate-command-receipts';

/** The unfreeze step (also of the certificates of a UKey found again). */
export function unfreezeSpec(comment?: string | null): TransitionSpec {
  return {
    action: 'unfreeze',
    comment,
    apply: () => undefined,
    after: (m, r) => recordCertificateEvent(m, 'certificate.unfrozen', r).then(() => undefined),
  };
}

/**
 * 挂失恢复: lifts the hold. frozen_at is kept: the next delta CRL needs it for the removeFromCRL
 * entry when a published complete CRL listed the hold.
 */
@Injectable()
export class UnfreezeCertificateUseCase {
  constructor(
    private readonly runner: CertificateTransitionRunner,
    private readonly views: CertificateViewMapper,
  ) {}

  async execute(cmd: FreezeCertificateCommand): Promise<CertificateView> {
    const row = await this.runner.run(cmd.serial, { ...unfreezeSpec(cmd.comment), receipt: certificateReceipts.claimOf('unfreeze', cmd) });
    return this.views.toView(row);
  }
}
