import { Injectable } from '@nestjs/common';
import { ProblemCode, ProblemError } from '@ecert/common';
import { REVOCATION_REASONS, type CertificateView, type RevokeCertificateCommand } from '@ecert/contracts';
import { CertificateTransitionRunner, type TransitionSpec } from '../certificate-transition.runner';
import { CertificateViewMapper } from '../certificate-view.mapper';
import { recordCertificateEvent } from '../certificate-events';
import { certificateReceipts } from '../certificate-command-receipts';

/** The revocation step (also of the certificates of a UKey permanently lost or terminated). */
export function revokeSpec(reason: string, comment?: string | null): TransitionSpec {
  return {
    action: 'revoke',
    reason,
    comment,
    apply: (r, now) => {
      r.revokedAt = now;
      r.revocationReason = reason;
    },
    after: (m, r) => recordCertificateEvent(m, 'certificate.revoked', r, { reason, revokedAt: r.revokedAt!.toISOString() }).then(() => undefined),
  };
}

/** 吊销 / 注销: permanent revocation with an RFC 5280 reason. */
@Injectable()
export class RevokeCertificateUseCase {
  constructor(
    private readonly runner: CertificateTransitionRunner,
    private readonly views: CertificateViewMapper,
  ) {}

  async execute(cmd: RevokeCertificateCommand): Promise<CertificateView> {
    const reason = cmd.reason ?? 'unspecified';
    if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'reason', `reason must be one of ${REVOCATION_REASONS.join(', ')} (use freeze for certificateHold)`);
    }
    const row = await this.runner.run(cmd.serial, { ...revokeSpec(reason, cmd.comment), receipt: certificateReceipts.claimOf('revoke', cmd) });
    return this.views.toView(row);
  }
}
