import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);
/** Prometheus's metric and label names: written into the exposition as they are, so never anything else. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const isLabels = (l: unknown) =>
  l === undefined ||
  (typeof l === 'object' && l !== null && !Array.isArray(l) && Object.entries(l).every(([k, v]) => LABEL_NAME.test(k) && (typeof v === 'string' || typeof v === 'number')));

const isValue = (x: unknown) => {
  if (!x || typeof x !== 'object') return false;
  const { value, labels, metricName } = x as { value?: unknown; labels?: unknown; metricName?: unknown };
  // null: a NaN once sent as JSON (a fresh process's event-loop lag), restored by withInstanceLabel.
  return (typeof value === 'number' || value === null) && isLabels(labels) && (metricName === undefined || (typeof metricName === 'string' && METRIC_NAME.test(metricName)));
};

/**
 * Whether a value read off the bus (or another gateway worker) has the shape of a prom-client JSON
 * snapshot, with names Prometheus accepts: one sender's malformed name would otherwise make the
 * whole exposition unreadable, and every service's series would be lost with that scrape.
 */
export function isMetricsSnapshot(v: unknown): v is MetricsSnapshot {
  return (
    Array.isArray(v) &&
    v.every((m) => {
      if (!m || typeof m !== 'object') return false;
      const { name, type, values } = m as { name?: unknown; type?: unknown; values?: unknown };
      return typeof name === 'string' && METRIC_NAME.test(name) && TYPES.has(String(type)) && Array.isArray(values) && values.every(isValue);
    })
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
