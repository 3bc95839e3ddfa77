import { ProblemCode, ProblemError } from '@ecert/common';
import { SUBJECT_POLICY, type BusPrincipal, type RpcEnvelope } from '@ecert/contracts';
import { bodyDigest, BusContextError, tokenSignature, type BusIdentity } from '../identity/bus-identity';

/** Who a verified request acts for: taken from signed claims only. */
export interface AdmittedContext {
  requestId: string;
  /** The process that sent the request. */
  caller: BusPrincipal;
  clientId?: string;
  actor?: string;
  role?: string;
  operations: string[];
  regions: string[];
  /**
   * The token of the request behind this one, for a service to forward when it calls on: the
   * gateway's, or the workflow-service's own when it carries out an approved application.
   */
  gatewayToken?: string;
  /** Who the acting identity's token comes from: `gateway` (a client or staff member) or a service on its own errand. */
  origin?: BusPrincipal;
  /** The subject of the gateway request behind this one (its own, or the forwarded token's). */
  upstreamSubject?: string;
}

/** How the admitting service signs its reply to this request (see RpcReply.proof). */
export interface ReplySigning {
  identity: BusIdentity;
  subject: string;
  requestTokenSignature: string;
}

export type Admission = ({ ok: true; context: AdmittedContext } | { ok: false; requestId: string; problem: ProblemError }) & {
  signing?: ReplySigning;
  /** Where it arrived (NATS's subject) and who admitted it: what the answer is counted under (metrics). */
  arrival?: { subject: string; service: BusPrincipal };
};

/**
 * Decides whether a request on `subject` may run: its context token verifies, the sender may use
 * this subject, and (for the gateway's own requests) the acting client or staff member holds the
 * subject's operation. A service acting inside a gateway request carries the gateway's token as
 * `up`; the acting identity and scope then come from that token.
 */
export function admitRequest(identity: BusIdentity, subject: string, envelope: RpcEnvelope<unknown> | undefined): Admission {
  const rawId = envelope?.meta?.requestId;
  const requestId = typeof rawId === 'string' && rawId.length <= 128 ? rawId : 'none';
  const token = envelope?.meta?.context;
  // Every answer is signed, refusals too, whenever the request brought a token to bind it to:
  // a caller believes no answer, yes or no, that its service did not sign.
  const signing: ReplySigning | undefined = typeof token === 'string' && token.includes('.') && token.length <= 16_384 ? { identity, subject, requestTokenSignature: tokenSignature(token) } : undefined;
  const arrival = { subject, service: identity.principal };
  const refuse = (status: 401 | 403, detail: string): Admission => ({
    ok: false,
    signing,
    arrival,
    requestId,
    problem: new ProblemError(status, status === 401 ? ProblemCode.busContextInvalid : ProblemCode.busCallerForbidden, status === 401 ? '调用上下文无效 (bus context refused)' : '调用方无权限 (bus caller not permitted)', detail),
  });
  const policy = SUBJECT_POLICY[subject];
  if (!policy) return refuse(403, `no principal may request ${subject}`);
  try {
    const outer = identity.readContext(token);
    // A token captured on the bus cannot be replayed for another command or with another body.
    if (outer.sub !== subject) throw new BusContextError(`context token made for ${outer.sub}, not ${subject}`);
    if (outer.bdy !== bodyDigest(envelope?.data)) throw new BusContextError('context token made for another request body');
    if (!policy.callers.includes(outer.iss)) return refuse(403, `${outer.iss} may not request ${subject}`);
    let acting = outer;
    if (outer.up !== undefined) {
      const upstream = identity.readContext(outer.up);
      // The gateway's request, or the workflow-service's command carrying out an approved
      // application (the registration authority's own decision); nothing forwards further than one hop.
      if (upstream.iss !== 'gateway' && upstream.iss !== 'workflow-service') throw new BusContextError('a forwarded context must be the gateway\'s or the workflow-service\'s');
      if (upstream.up !== undefined) throw new BusContextError('a forwarded context must not forward another');
      acting = upstream;
    }
    if (outer.iss === 'gateway' && policy.operation && !outer.ops.includes(policy.operation)) {
      return refuse(403, `the caller does not hold '${policy.operation}'`);
    }
    return {
      ok: true,
      signing,
      arrival,
      context: {
        requestId: outer.rid || requestId,
        caller: outer.iss,
        clientId: acting.cid,
        actor: acting.act,
        role: acting.role,
        operations: acting.ops,
        regions: acting.reg,
        gatewayToken: outer.iss === 'gateway' || (outer.iss === 'workflow-service' && outer.up === undefined) ? (token as string) : outer.up,
        origin: acting.iss,
        // The gateway request behind a forwarded token: a service may use it only for what that request was.
        upstreamSubject: outer.iss === 'gateway' || (outer.iss === 'workflow-service' && outer.up === undefined) ? subject : outer.up !== undefined ? acting.sub : undefined,
      },
    };
  } catch (e) {
    if (e instanceof BusContextError) return refuse(401, e.message);
    throw e;
  }
}

/**
 * Admissions by the envelope's meta object. Only the verifying deserializer records them, so a
 * meta that arrives over the wire claiming anything is never taken for an admitted one.
 */
const admissions = new WeakMap<object, Admission>();

export function recordAdmission(meta: object, admission: Admission): void {
  admissions.set(meta, admission);
}

export function admissionOf(meta: unknown): Admission | undefined {
  return meta && typeof meta === 'object' ? admissions.get(meta) : undefined;
}
