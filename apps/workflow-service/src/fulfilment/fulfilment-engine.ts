import type { EntityManager } from 'typeorm';
import { WAITING_STEPS, type FulfilmentStepName } from '@ecert/workflow';
import type { ApplicationEntity } from '../applications/entities/application.entity';
import { ApplicationStepEntity, type StepPhase } from '../applications/entities/application-step.entity';
import { journal, WORKFLOW_SERVICE_ACTOR } from '../applications/application-journal';


/**
 * Moves an application along its steps, inside the caller's transaction (the application row is
 * locked by then). A step is reached when the one before it is done: a command step is scheduled
 * at once (the runner sends it), a waiting step (the CA operator's station, the handler at the city
 * office) marks the application as waiting for that person. Steps live in the database, so a
 * restart continues where it stopped.
 */
export async function startPhase(m: EntityManager, app: ApplicationEntity, phase: StepPhase, names: readonly FulfilmentStepName[], now = new Date()): Promise<void> {
  const [{ max }] = await m.query(`SELECT coalesce(max(seq), 0)::int AS max FROM "workflow"."application_step" WHERE application_id = $1`, [app.id]);
  let seq = max as number;
  for (const name of names) {
    seq += 1;
    await m.insert(ApplicationStepEntity, { applicationId: app.id, seq, name, phase, status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null, result: null, updatedAt: now });
  }
  if (phase === 'fulfilment' && names.length === 0) return complete(m, app, now);
  await advance(m, app, now);
}

/** Reaches the next step of the application, or finishes the phase that has none left. */
export async function advance(m: EntityManager, app: ApplicationEntity, now = new Date()): Promise<void> {
  const steps = await m.find(ApplicationStepEntity, { where: { applicationId: app.id }, order: { seq: 'ASC' } });
  const active = steps.find((s) => s.status === 'running' || (s.status === 'pending' && s.nextAttemptAt !== null));
  if (active) return;
  const next = steps.find((s) => s.status === 'pending');
  if (!next) {
    const last = steps[steps.length - 1];
    if (last?.phase === 'fulfilment') await complete(m, app, now);
    if (last?.phase === 'rejection') {
      // The acceptance steps a rejection undid (a freeze lifted) are marked so.
      await m.update(ApplicationStepEntity, { applicationId: app.id, phase: 'acceptance', status: 'done' }, { status: 'compensated', updatedAt: now });
    }
    return;
  }
  next.updatedAt = now;
  if (WAITING_STEPS.has(next.name)) {
    next.status = 'running';
    if (next.name === 'await_production') app.status = 'awaiting_production';
    if (next.name === 'await_collection') app.status = 'ready_for_collection';
  } else {
    next.nextAttemptAt = now;
    if (next.phase === 'fulfilment') app.status = 'fulfilling';
  }
  await m.save(next);
}

/** The waiting step the application is at, marked done by the person it waited for. */
export async function completeWaitingStep(m: EntityManager, app: ApplicationEntity, name: FulfilmentStepName, result: Record<string, unknown>, now = new Date()): Promise<void> {
  const step = await m.findOne(ApplicationStepEntity, { where: { applicationId: app.id, name, status: 'running' }, lock: { mode: 'pessimistic_write' } });
  if (!step) throw new Error(`application ${app.id} is not waiting at ${name}`);
  step.status = 'done';
  step.result = result;
  step.updatedAt = now;
  await m.save(step);
  await advance(m, app, now);
}

async function complete(m: EntityManager, app: ApplicationEntity, now: Date): Promise<void> {
  if (app.status === 'completed') return;
  app.status = 'completed';
  app.closedAt = now;
  await journal(m, app, 'completed', WORKFLOW_SERVICE_ACTOR, {}, 'application.completed');
}
