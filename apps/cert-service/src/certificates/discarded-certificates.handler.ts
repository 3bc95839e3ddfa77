import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { Subjects, type DiscardedCertificatesQuery, type RpcEnvelope } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { DiscardedCertificateQueries } from './queries/discarded-certificate.queries';

/** NATS entry point of the list of certificates signed that issued nothing (auditors: audit:read, bus policy). */
@Controller()
export class DiscardedCertificatesHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly queries: DiscardedCertificateQueries,
  ) {}

  @MessagePattern(Subjects.cert.discardedList)
  list(@Payload() env: RpcEnvelope<DiscardedCertificatesQuery>) {
    return runRpc(this.logger, env, () => this.queries.list(env.data ?? {}));
  }
}
