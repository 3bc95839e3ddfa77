import { Injectable } from '@nestjs/common';
import { PROBLEM_TITLES, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { OCSP_STATUS_MAX_SERIALS, type OcspStatusEntry, type OcspStatusQuery, type OcspStatusReply } from '@ecert/contracts';
import { RevocationInputError, serialKey } from '@ecert/pki';
import { CaRegistry } from '../ca/ca-registry.service';
import { OcspResponder } from './ocsp-responder.service';

/**
 * Statuses of a few serials under one issuing CA, read now, for a gateway's OCSP status view: the
 * same reads the responder answers from (OcspResponder.statuses). A revoked CA answers nothing
 * (ca_revoked): the gateway then asks cert.ocsp.respond, which says unauthorized.
 */
@Injectable()
export class AnswerOcspStatusUseCase {
  constructor(
    private readonly registry: CaRegistry,
    private readonly responder: OcspResponder,
  ) {}

  async execute(q: OcspStatusQuery | undefined): Promise<OcspStatusReply> {
    if (requestContext.getStore()?.caller !== 'gateway') throw new ProblemError(403, ProblemCode.busCallerForbidden, PROBLEM_TITLES.bus_caller_forbidden, 'Only a gateway reads OCSP statuses');
    const caId = String(q?.caId ?? '');
    const ca = this.registry.get(caId);
    if (ca.role !== 'issuing') throw ProblemError.badRequest(ProblemCode.validationFailed, 'caId', `${caId} is not an issuing CA`);
    if (!this.registry.usable(caId)) throw new ProblemError(503, ProblemCode.caRevoked, PROBLEM_TITLES.ca_revoked, `The certificate of CA ${caId} or one above it is revoked`);
    const raw = Array.isArray(q?.serials) ? q.serials : [];
    if (!raw.length || raw.length > OCSP_STATUS_MAX_SERIALS) throw ProblemError.badRequest(ProblemCode.validationFailed, 'serials', `1 to ${OCSP_STATUS_MAX_SERIALS} serials`);
    let serials: string[];
    try {
      serials = [...new Set(raw.map((s) => serialKey(String(s))))];
    } catch (e) {
      if (e instanceof RevocationInputError) throw ProblemError.badRequest(ProblemCode.validationFailed, 'serials', e.message);
      throw e;
    }
    const found = await this.responder.statuses(caId, serials);
    const statuses = serials.map((serial): OcspStatusEntry => {
      const f = found.get(serial);
      if (!f) return { serial, status: 'unknown' };
      const s = f.status;
      const caHeld = f.caHeld ? { caHeld: true } : {};
      if (s.status === 'revoked') return { serial, status: 'revoked', revokedAt: s.revokedAt.toISOString(), ...(s.reason ? { reason: s.reason } : {}), ...caHeld };
      return { serial, status: s.status, ...caHeld };
    });
    return { statuses };
  }
}
