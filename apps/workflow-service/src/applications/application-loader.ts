import type { EntityManager } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { ApplicationEntity } from './entities/application.entity';
import { ApplicationStepEntity } from './entities/application-step.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function applicationIdOf(v: unknown): string {
  const id = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (!UUID.test(id)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'applicationId', 'applicationId must be a UUID');
  return id;
}

/** The application row, locked for the rest of the transaction: concurrent decisions serialise here. */
export async function lockApplication(m: EntityManager, id: string): Promise<ApplicationEntity> {
  const app = await m.findOne(ApplicationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!app) throw ProblemError.notFound(ProblemCode.notFound, `application ${id} not found`);
  return app;
}

/** Every change bumps the version the next If-Match is compared with. */
export function touch(app: ApplicationEntity, now = new Date()): void {
  app.version += 1;
  app.updatedAt = now;
}

/** Steps of the application still to run or running (an acceptance freeze on its way, say). */
export function hasActiveSteps(m: EntityManager, applicationId: string): Promise<boolean> {
  return m.exists(ApplicationStepEntity, { where: [{ applicationId, status: 'pending' }, { applicationId, status: 'running' }] });
}
