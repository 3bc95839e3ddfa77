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
  /** The gateway's token behind this request, for a service to forward when it calls on. */
  gatewayToken?: string;
  /** The subject of the gateway request behind this one (its own, or the forwarded token's). */
  upstreamSubject?: string;
}

/** How the admitting service signs its reply to this request (see RpcReply.proof). */
export interface ReplySigning {
  identity: BusIdentity;
  subject: string;
  requestTokenSignature: string;
}

export type Admission = ({ ok: true; context: AdmittedContext } | { ok: false; requestId: string; problem: ProblemError }) & { signing?: ReplySigning };

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
  const refuse = (status: 401 | 403, detail: string): Admission => ({
    ok: false,
    signing,
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
      if (upstream.iss !== 'gateway') throw new BusContextError('a forwarded context must be the gateway\'s');
      acting = upstream;
    }
    if (outer.iss === 'gateway' && policy.operation && !outer.ops.includes(policy.operation)) {
      return refuse(403, `the caller does not hold '${policy.operation}'`);
    }
    return {
      ok: true,
      signing,
      context: {
        requestId: outer.rid || requestId,
        caller: outer.iss,
        clientId: acting.cid,
        actor: acting.act,
        role: acting.role,
        operations: acting.ops,
        regions: acting.reg,
        gatewayToken: outer.iss === 'gateway' ? (token as string) : outer.up,
        // The gateway request behind a forwarded token: a service may use it only for what that request was.
        upstreamSubject: outer.iss === 'gateway' ? subject : outer.up !== undefined ? acting.sub : undefined,
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
