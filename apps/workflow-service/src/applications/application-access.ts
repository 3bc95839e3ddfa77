import { ProblemCode, ProblemError, scopeAllows } from '@ecert/common';
import type { ApplicationEntity } from './entities/application.entity';
import type { currentActor } from './application-actor';

/**
 * Who may see an application: staff within their region; a client system only what it filed
 * itself (it tells its own handlers), within its regions. Anything else is "not found", so ids
 * of other regions' applications cannot be probed.
 */
export function assertMaySee(actor: ReturnType<typeof currentActor>, app: ApplicationEntity): void {
  const inScope = scopeAllows({ regions: [...actor.regions] }, app.regionCode);
  const own = actor.clientId ? app.filedByClient === actor.clientId : true;
  if (!inScope || !own) throw ProblemError.notFound(ProblemCode.notFound, `application ${app.id} not found`);
}
