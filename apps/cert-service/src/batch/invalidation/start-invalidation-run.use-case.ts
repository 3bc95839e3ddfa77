import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { InvalidationRunView, StartInvalidationRunCommand } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { InvalidationRunEntity } from './invalidation-run.entity';
import { InvalidationJobs } from './invalidation-jobs.service';
import { invalidationRunView } from './invalidation-run.view';

/**
 * An operator starts a 第二十条 run: a dry run (counts by region and reason, nothing changes) or
 * the real one. Queued, as of now; the record says who asked and, when done, what it found.
 */
@Injectable()
export class StartInvalidationRunUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly jobs: InvalidationJobs,
  ) {}

  async execute(cmd: StartInvalidationRunCommand): Promise<InvalidationRunView> {
    if (typeof cmd?.dryRun !== 'boolean') throw ProblemError.badRequest(ProblemCode.validationFailed, 'dryRun', 'dryRun must be true (counts only) or false (the real run)');
    const ctx = requestContext.getStore();
    const now = new Date();
    const run = this.ds.getRepository(InvalidationRunEntity).create({
      id: randomUUID(),
      dryRun: cmd.dryRun,
      trigger: 'operator',
      requestedBy: ctx?.actor ?? null,
      requestedByClient: ctx?.clientId ?? null,
      requestId: ctx?.requestId ?? null,
      asOf: now,
      queuedAt: now,
      startedAt: null,
      finishedAt: null,
      counts: null,
      total: null,
      error: null,
    });
    await this.ds.getRepository(InvalidationRunEntity).insert(run);
    await this.jobs.enqueue(run.id);
    return invalidationRunView(run);
  }
}
