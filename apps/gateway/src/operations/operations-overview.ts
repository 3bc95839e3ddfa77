import type { CertificateOperationsOverview, DeadLetters, OperationsOverview, QueueFailures, WorkflowOperationsOverview } from '@ecert/contracts';

/** A part of the overview: what a service answered, or that it could not. */
export type Part<T> = { ok: true; value: T } | { ok: false; source: string };

/** The services' parts as one overview: late, failed, due. A missing part is named, its fields null. */
export function assembleOverview(input: {
  at: Date;
  regions: string[];
  workflow: Part<WorkflowOperationsOverview>;
  certificates: Part<CertificateOperationsOverview>;
  deadLetters: Part<DeadLetters>;
  queues: Part<QueueFailures[]>;
}): OperationsOverview {
  const wf = input.workflow.ok ? input.workflow.value : undefined;
  const certs = input.certificates.ok ? input.certificates.value : undefined;
  const queues = input.queues.ok ? [...input.queues.value].sort((a, b) => b.failed - a.failed || a.queue.localeCompare(b.queue)) : null;
  return {
    generatedAt: input.at.toISOString(),
    regions: input.regions,
    late: { slaBreaches: wf?.slaBreaches ?? null },
    failed: { sagasNeedingAttention: wf?.needsAttention ?? null, deadLetters: input.deadLetters.ok ? input.deadLetters.value : null, queues },
    due: {
      renewals: certs?.renewalsDue ?? null,
      invalidations: certs?.invalidationsDue ?? null,
      invalidListSize: certs?.invalidListSize ?? null,
    },
    unavailable: [input.workflow, input.certificates, input.deadLetters, input.queues].flatMap((p) => (p.ok ? [] : [p.source])),
  };
}
