import { Injectable } from '@nestjs/common';
import type { CertificateView, FreezeCertificateCommand } from '@ecert/contracts';
import { CertificateTransitionRunner, type TransitionSpec } from '../certificate-transition.runner';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { recordCertificateEvent } from '../certificate-events';
import { certificateReceipts } from '../certificate-command-receipts';

/** The freeze step (also of every certificate on a UKey reported lost). */
export function freezeSpec(comment?: string | null): TransitionSpec {
  return {
    action: 'freeze',
    reason: 'certificateHold',
    comment,
    apply: (r, now) => {
      r.frozenAt = now;
    },
    after: (m, r) => recordCertificateEvent(m, 'certificate.frozen', r).then(() => undefined),
  };
}

/** 挂失: revoke with reason certificateHold; trust stops at once, and it can be lifted. */
@Injectable()
export class FreezeCertificateUseCase {
  constructor(
    private readonly runner: CertificateTransitionRunner,
    private readonly views: CertificateViewMapper,
  ) {}

  async execute(cmd: FreezeCertificateCommand): Promise<CertificateView> {
    const row = await this.runner.run(cmd.serial, { ...freezeSpec(cmd.comment), receipt: certificateReceipts.claimOf('freeze', cmd) });
    return this.views.toView(row);
  }
}
