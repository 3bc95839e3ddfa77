import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { DocumentActor, SealUsePrincipals } from '@ecert/contracts';

/**
 * Who is acting, from the verified bus context (never from a field of the command): the client
 * system of the gateway request, or its staff member. Documents, requests and sessions are
 * recorded to one of the two, and the rules of use name them the same way.
 */
export class Actor {
  private constructor(
    readonly clientId: string | null,
    readonly staffId: string | null,
  ) {}

  /** The caller of the current request; a 403 when it carries neither (a service on its own errand). */
  static current(): Actor {
    const ctx = requestContext.getStore();
    if (ctx?.origin && ctx.origin !== 'gateway') throw noActor();
    if (ctx?.clientId) return new Actor(ctx.clientId, null);
    if (ctx?.actor) return new Actor(null, ctx.actor);
    throw noActor();
  }

  static of(clientId: string | null, staffId: string | null): Actor {
    return new Actor(clientId, staffId);
  }

  is(clientId: string | null, staffId: string | null): boolean {
    return this.clientId !== null ? this.clientId === clientId : this.staffId === staffId;
  }

  isAny(of: SealUsePrincipals): boolean {
    return this.clientId !== null ? of.clientIds.includes(this.clientId) : of.staffIds.includes(this.staffId!);
  }

  /** e.g. `client 0b1e…` or `staff 77a2…`, for problem details. */
  describe(): string {
    return this.clientId !== null ? `client ${this.clientId}` : `staff member ${this.staffId}`;
  }

  get view(): DocumentActor {
    return toActorView(this.clientId, this.staffId);
  }

  /** Holds an operation (from the gateway's signed context). */
  holds(operation: string): boolean {
    return (requestContext.getStore()?.operations ?? []).includes(operation);
  }
}

export function toActorView(clientId: string | null, staffId: string | null): DocumentActor {
  return { ...(clientId ? { clientId } : {}), ...(staffId ? { staffId } : {}) };
}

function noActor(): ProblemError {
  return new ProblemError(403, ProblemCode.forbidden, '无权操作 (operation not permitted)', 'Documents are handled for a client system or a staff member of a gateway request only');
}
