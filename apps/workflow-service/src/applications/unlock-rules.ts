import { ProblemCode, ProblemError } from '@ecert/common';
import { assertTierScope } from '@ecert/workflow';
import type { ApplicationEntity } from './entities/application.entity';
import type { currentActor } from './application-actor';

/** Who acts for an approved unlock: the office staff within the unit's region, or the business system that filed it for its handler. */
export function assertUnlockActor(actor: ReturnType<typeof currentActor>, app: ApplicationEntity, detail: string): void {
  if (actor.clientId ? app.filedByClient !== actor.clientId : !actor.staffId) throw new ProblemError(403, ProblemCode.forbidden, '无权解锁 (not permitted to unlock)', detail);
  if (actor.staffId) assertTierScope(actor, actor.role === 'ca_operator' ? 'province' : 'city', app.regionCode);
}

/** Only the UKey the application's certificate is on: an unlock opens nothing else. */
export function assertApplicationUkey(app: ApplicationEntity, serial: string): void {
  if (app.targetUkeySerial !== serial) {
    throw new ProblemError(422, 'ukey_not_of_application', "介质不符 (not the application's UKey)", app.targetUkeySerial ? `the application is about UKey ${app.targetUkeySerial}` : 'the certificate of this application is on no UKey the platform knows', 'ukeySerial');
  }
}
