import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ProblemCode, ProblemError } from '@ecert/common';
import { Subjects, type InvalidListQuery, type RpcEnvelope, type StartInvalidationRunCommand } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER, runRpc } from '@ecert/messaging';
import { InvalidListQueries } from './invalid-list.queries';
import { StartInvalidationRunUseCase } from './start-invalidation-run.use-case';
import { InvalidationRunEntity } from './invalidation-run.entity';
import { invalidationRunView } from './invalidation-run.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** NATS entry points of the invalid list (失效名单) and its runs. */
@Controller()
export class InvalidationHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly queries: InvalidListQueries,
    private readonly start: StartInvalidationRunUseCase,
  ) {}

  @MessagePattern(Subjects.cert.invalidList)
  list(@Payload() env: RpcEnvelope<InvalidListQuery>) {
    return runRpc(this.logger, env, () => this.queries.list(env.data ?? {}));
  }

  @MessagePattern(Subjects.cert.invalidationRunStart)
  startRun(@Payload() env: RpcEnvelope<StartInvalidationRunCommand>) {
    return runRpc(this.logger, env, () => this.start.execute(env.data));
  }

  @MessagePattern(Subjects.cert.invalidationRunGet)
  getRun(@Payload() env: RpcEnvelope<{ id: string }>) {
    return runRpc(this.logger, env, async () => {
      const id = env.data?.id;
      if (typeof id !== 'string' || !UUID.test(id)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'id must be a UUID');
      const run = await this.ds.getRepository(InvalidationRunEntity).findOneBy({ id });
      if (!run) throw ProblemError.notFound(ProblemCode.notFound, `No invalidation run ${id}`);
      return invalidationRunView(run);
    });
  }
}
