/**
 * Where a certificate event stands in its certificate's history: the certificate version it
 * carries (1 at issue, +1 per lifecycle step) and when it happened. Consumers that follow
 * certificates keep the position of the newest event they applied and ignore older ones, so any
 * delivery order (retries, redeliveries after a failure) ends in the state of the newest event.
 */
export interface CertificateEventPosition {
  /** Absent (null) in events written before versions existed. */
  readonly version?: number | null;
  readonly occurredAt: Date;
}

/**
 * Whether `incoming` is older than `applied`, the newest event already applied for the same
 * certificate: then it must change nothing. Versions decide when both events carry one (clocks
 * and millisecond ties cannot reorder them); otherwise the event times do. The same position is
 * not older: applying it again is a no-op for idempotent consumers.
 */
export function isOlderCertificateEvent(incoming: CertificateEventPosition, applied: CertificateEventPosition | undefined | null): boolean {
  if (!applied) return false;
  if (typeof incoming.version === 'number' && typeof applied.version === 'number') return incoming.version < applied.version;
  return incoming.occurredAt.getTime() < applied.occurredAt.getTime();
}
