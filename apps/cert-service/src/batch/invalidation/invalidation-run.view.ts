import type { InvalidationRunView } from '@ecert/contracts';
import type { InvalidationRunEntity } from './invalidation-run.entity';

export function invalidationRunView(r: InvalidationRunEntity): InvalidationRunView {
  return {
    id: r.id,
    dryRun: r.dryRun,
    trigger: r.trigger,
    requestedBy: r.requestedBy ?? r.requestedByClient,
    asOf: r.asOf.toISOString(),
    queuedAt: r.queuedAt.toISOString(),
    ...(r.startedAt ? { startedAt: r.startedAt.toISOString() } : {}),
    ...(r.finishedAt ? { finishedAt: r.finishedAt.toISOString() } : {}),
    status: r.error ? 'failed' : r.finishedAt ? 'finished' : r.startedAt ? 'running' : 'queued',
    ...(r.counts ? { counts: r.counts } : {}),
    ...(r.total !== null ? { total: r.total } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
