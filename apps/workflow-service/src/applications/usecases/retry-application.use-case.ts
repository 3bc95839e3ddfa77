import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import type { ApplicationIdCommand, ApplicationView } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { ApplicationStepEntity } from '../entities/application-step.entity';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { applicationIdOf, lockApplication, touch } from '../application-loader';
import { ApplicationViewMapper } from '../application-view.mapper';
import { FulfilmentRunner } from '../../fulfilment/fulfilment-runner.service';

/**
 * An operator, having fixed what made a step fail (a service back, a CA restored), has the
 * application carried on from that step. The step's idempotency key is the same, so whatever the
 * failed attempts did do is not done twice.
 */
@Injectable()
export class RetryApplicationUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly views: ApplicationViewMapper,
    private readonly runner: FulfilmentRunner,
  ) {}

  async execute(cmd: ApplicationIdCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const id = applicationIdOf(cmd?.applicationId);
    const view = await this.ds.transaction(async (m) => {
      const app = await lockApplication(m, id);
      if (!app.attention) throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} is ${app.status}; only one that needs attention is retried`);
      const step = await m.findOne(ApplicationStepEntity, { where: { applicationId: id, status: 'failed' }, order: { seq: 'ASC' } });
      if (!step) throw ProblemError.conflict(ProblemCode.illegalTransition, `application ${id} has no failed step`);
      const now = new Date();
      step.status = 'pending';
      step.attempts = 0;
      step.nextAttemptAt = now;
      step.updatedAt = now;
      await m.save(step);
      if (app.status === 'needs_attention') app.status = app.attention.previousStatus ?? 'fulfilling';
      app.attention = null;
      touch(app, now);
      await m.save(app);
      await journal(m, app, 'retried', actorRef(actor), { step: step.name });
      return this.views.load(m, app);
    });
    this.runner.kick(id);
    return view;
  }
}
