import { requestContext } from '@ecert/common';
import type { Actor } from '@ecert/workflow';

/** Who acts in this request, from the verified bus context only (the handlers admit the gateway alone). */
export function currentActor(): Actor & { via: string | null } {
  const ctx = requestContext.getStore();
  return {
    staffId: ctx?.clientId ? undefined : ctx?.actor,
    clientId: ctx?.clientId,
    role: ctx?.role,
    regions: ctx?.regions ?? [],
    via: ctx?.caller ?? null,
  };
}

export function actorRef(actor: ReturnType<typeof currentActor>) {
  return { staffId: actor.staffId ?? null, clientId: actor.clientId ?? null, via: actor.via };
}
