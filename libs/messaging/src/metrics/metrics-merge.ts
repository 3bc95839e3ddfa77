import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);

/** Whether a value read off the bus has the shape of a prom-client JSON snapshot. */
export function isMetricsSnapshot(v: unknown): v is MetricsSnapshot {
  return (
    Array.isArray(v) &&
    v.every(
      (m) =>
        m &&
        typeof m === 'object' &&
        typeof (m as { name?: unknown }).name === 'string' &&
        TYPES.has(String((m as { type?: unknown }).type)) &&
        Array.isArray((m as { values?: unknown }).values) &&
        // null: a NaN once sent as JSON (a fresh process's event-loop lag), restored by withInstanceLabel.
        ((m as { values: unknown[] }).values).every((x) => x && typeof x === 'object' && (typeof (x as { value?: unknown }).value === 'number' || (x as { value?: unknown }).value === null)),
    )
  );
}

/**
 * A snapshot with every series labelled `instance`: two replicas of one service have the same
 * `service` label, and only this one tells their series apart (else the merge keeps one of them).
 */
export function withInstanceLabel(snapshot: MetricsSnapshot, instance: string): MetricsSnapshot {
  return snapshot.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, value: v.value ?? Number.NaN, labels: { ...v.labels, instance } })) }));
}

/**
 * The services' snapshots as one Prometheus text exposition: each family once (HELP/TYPE), its
 * series from every service instance side by side, told apart by their `service` and `instance`
 * labels. Series are not summed: the label sets of two instances never coincide, and where they would (a bug) the first wins
 * rather than a silent sum.
 */
export async function mergeMetricsSnapshots(snapshots: MetricsSnapshot[]): Promise<{ contentType: string; text: string }> {
  const parts = snapshots.map((s) => s.map((m) => ({ ...m, aggregator: 'first' as const })));
  const registry = AggregatorRegistry.aggregate(parts);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
