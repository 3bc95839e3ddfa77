import { Injectable } from '@nestjs/common';
import type { CertificateView, FreezeCertificateCommand } from '@ecert/contracts';
import { CertificateTransitionRunner } from '../certificate-transition.runner';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { recordCertificateEvent } from '../certificate-events';
import { certificateReceipts } from '../certificate-command-receipts';

/** 挂失: revoke with reason certificateHold; trust stops at once, and it can be lifted. */
@Injectable()
export class FreezeCertificateUseCase {
  constructor(
    private readonly runner: CertificateTransitionRunner,
    private readonly views: CertificateViewMapper,
  ) {}

  async execute(cmd: FreezeCertificateCommand): Promise<CertificateView> {
    const row = await this.runner.run(cmd.serial, {
      action: 'freeze',
      receipt: certificateReceipts.claimOf('freeze', cmd),
      reason: 'certificateHold',
      comment: cmd.comment,
      apply: (r, now) => {
        r.frozenAt = now;
      },
      after: (m, r) => recordCertificateEvent(m, 'certificate.frozen', r).then(() => undefined),
    });
    return this.views.toView(row);
  }
}
