import { Inject, Injectable } from '@nestjs/common';
import { overviewBounds, ProblemError, SingleFlightCache, type EcertConfig } from '@ecert/common';
import { Subjects, type CertificateOperationsOverview, type OperationsOverview, type OperationsOverviewQuery, type WorkflowOperationsOverview } from '@ecert/contracts';
import { RpcClient } from '../rpc/rpc-client.service';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { DeadLettersQuery } from './dead-letters.query';
import { OperationsQueues } from './operations-queues.service';
import { assembleOverview, type Part } from './operations-overview';

/**
 * The overview of GET /api/v1/operations/overview. Each call costs several scans in three
 * databases and Redis: callers with the same region scope and bounds share one computation in
 * flight, and its answer for OPERATIONS_OVERVIEW_CACHE_MS (30 s) after (`generatedAt` says when).
 * Only a complete or partial answer is kept, never a refusal.
 */
@Injectable()
export class OperationsOverviewService {
  private readonly cache: SingleFlightCache<OperationsOverview>;

  constructor(
    private readonly rpc: RpcClient,
    private readonly queues: OperationsQueues,
    private readonly deadLetters: DeadLettersQuery,
    @Inject(GATEWAY_CONFIG) config: EcertConfig,
  ) {
    this.cache = new SingleFlightCache(config.OPERATIONS_OVERVIEW_CACHE_MS, 1024);
  }

  /** The caller's scope is part of the key: nobody is answered from another scope's overview. */
  overview(regions: readonly string[], q: OperationsOverviewQuery): Promise<OperationsOverview> {
    const bounds = overviewBounds(q);
    const scope = [...new Set(regions)].sort();
    const key = JSON.stringify([scope, bounds.top, bounds.renewalWindowDays]);
    return this.cache.get(key, async () => {
      const [workflow, certificates, deadLetters, queues] = await Promise.all([
        part<WorkflowOperationsOverview>('workflow-service', () => this.rpc.call(Subjects.workflow.operationsOverview, bounds)),
        part<CertificateOperationsOverview>('cert-service', () => this.rpc.call(Subjects.cert.operationsOverview, bounds)),
        part('gateway-deliveries', () => this.deadLetters.execute(scope, bounds.top)),
        part('queues', () => this.queues.failures()),
      ]);
      return assembleOverview({ at: new Date(), regions: scope, workflow, certificates, deadLetters, queues });
    });
  }
}

/** A service that is down or slow leaves its part empty; a refusal or a bad request is the caller's answer. */
async function part<T>(source: string, fn: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (e instanceof ProblemError && e.status < 500) throw e;
    return { ok: false, source };
  }
}
