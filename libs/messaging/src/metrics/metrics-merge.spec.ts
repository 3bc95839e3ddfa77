import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isMetricsSnapshot, mergeMetricsSnapshots, withInstanceLabel } from './metrics-merge';

async function snapshotOf(service: string, fill: (r: Registry) => void) {
  const r = new Registry();
  r.setDefaultLabels({ service });
  fill(r);
  return r.getMetricsAsJSON();
}

describe('mergeMetricsSnapshots', () => {
  it('declares each family once and keeps every service\'s series under its label', async () => {
    const a = await snapshotOf('cert-service', (r) => {
      new Counter({ name: 'ecert_rpc_requests_total', help: 'h', labelNames: ['subject', 'outcome'], registers: [r] }).inc({ subject: 'cert.certificates.issue', outcome: 'ok' }, 3);
      new Histogram({ name: 'ecert_rpc_duration_seconds', help: 'h', labelNames: ['subject'], buckets: [0.1, 1], registers: [r] }).observe({ subject: 'cert.certificates.issue' }, 0.5);
    });
    const b = await snapshotOf('workflow-service', (r) => {
      new Counter({ name: 'ecert_rpc_requests_total', help: 'h', labelNames: ['subject', 'outcome'], registers: [r] }).inc({ subject: 'workflow.applications.create', outcome: 'ok' }, 2);
      new Gauge({ name: 'ecert_sla_breaches', help: 'h', labelNames: ['region', 'tier'], registers: [r] }).set({ region: '450100', tier: 'city' }, 4);
    });
    const { text } = await mergeMetricsSnapshots([a, b]);
    expect(text.match(/^# TYPE ecert_rpc_requests_total counter$/gm)).toHaveLength(1);
    expect(text).toContain('ecert_rpc_requests_total{subject="cert.certificates.issue",outcome="ok",service="cert-service"} 3');
    expect(text).toContain('ecert_rpc_requests_total{subject="workflow.applications.create",outcome="ok",service="workflow-service"} 2');
    expect(text).toContain('ecert_rpc_duration_seconds_bucket{le="1",subject="cert.certificates.issue",service="cert-service"} 1');
    expect(text).toContain('ecert_rpc_duration_seconds_bucket{le="0.1",subject="cert.certificates.issue",service="cert-service"} 0');
    expect(text).toContain('ecert_rpc_duration_seconds_count{subject="cert.certificates.issue",service="cert-service"} 1');
    expect(text).toContain('ecert_sla_breaches{region="450100",tier="city",service="workflow-service"} 4');
  });

  it('never sums two series that happen to share labels', async () => {
    const one = await snapshotOf('x', (r) => new Gauge({ name: 'g', help: 'h', registers: [r] }).set(1));
    const two = await snapshotOf('x', (r) => new Gauge({ name: 'g', help: 'h', registers: [r] }).set(5));
    const { text } = await mergeMetricsSnapshots([one, two]);
    expect(text).toContain('g{service="x"} 1');
    expect(text).not.toContain('g{service="x"} 6');
  });

  it('keeps the series of two instances of one service apart by their instance label', async () => {
    const fill = (n: number) => (r: Registry) => new Counter({ name: 'ecert_rpc_requests_total', help: 'h', labelNames: ['subject'], registers: [r] }).inc({ subject: 's' }, n);
    const a = withInstanceLabel(await snapshotOf('cert-service', fill(3)), 'pod-a');
    const b = withInstanceLabel(await snapshotOf('cert-service', fill(4)), 'pod-b');
    const { text } = await mergeMetricsSnapshots([a, b]);
    expect(text).toContain('ecert_rpc_requests_total{subject="s",service="cert-service",instance="pod-a"} 3');
    expect(text).toContain('ecert_rpc_requests_total{subject="s",service="cert-service",instance="pod-b"} 4');
  });

  it('takes a NaN that crossed the bus as JSON null, and writes it as NaN', async () => {
    const sent = JSON.parse(JSON.stringify(await snapshotOf('x', (r) => new Gauge({ name: 'lag', help: 'h', registers: [r] }).set(Number.NaN))));
    expect(isMetricsSnapshot(sent)).toBe(true);
    // prom-client writes "Nan"; Prometheus reads NaN in any case.
    expect((await mergeMetricsSnapshots([withInstanceLabel(sent, 'i')])).text).toMatch(/^lag\{service="x",instance="i"\} nan$/im);
  });

  it('tells a snapshot from anything else a reply could carry', async () => {
    expect(isMetricsSnapshot(await snapshotOf('x', (r) => new Gauge({ name: 'g', help: 'h', registers: [r] }).set(1)))).toBe(true);
    expect(isMetricsSnapshot([{ name: 'g', type: 'gauge', values: [{ value: 'NaN' }] }])).toBe(false);
    expect(isMetricsSnapshot([{ name: 'g', type: 'script', values: [] }])).toBe(false);
    expect(isMetricsSnapshot({})).toBe(false);
  });

  it('refuses names and labels an exposition cannot carry', async () => {
    const real = await snapshotOf('x', (r) => new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['route'], buckets: [0.1], registers: [r] }).observe({ route: '/a' }, 0.05));
    expect(isMetricsSnapshot(real)).toBe(true);
    const tampered = (f: (m: Record<string, any>) => void) => {
      const copy = JSON.parse(JSON.stringify(real));
      f(copy[0]);
      return copy;
    };
    expect(isMetricsSnapshot(tampered((m) => (m.name = 'h{x="1"} 1\nfake'))), 'metric name').toBe(false);
    expect(isMetricsSnapshot(tampered((m) => (m.values[0].metricName = 'h_bucket 9\n#'))), 'series name').toBe(false);
    expect(isMetricsSnapshot(tampered((m) => (m.values[0].labels = { 'a"}': 'v' }))), 'label name').toBe(false);
    expect(isMetricsSnapshot(tampered((m) => (m.values[0].labels = { a: { nested: 1 } }))), 'label value').toBe(false);
    expect(isMetricsSnapshot(tampered((m) => (m.values[0].labels = ['a']))), 'labels as a list').toBe(false);
    // Label values are escaped by prom-client when written: anything in a string is fine.
    expect(isMetricsSnapshot(tampered((m) => (m.values[0].labels = { route: 'a"\n}' })))).toBe(true);
  });
});
