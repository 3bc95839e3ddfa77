import { describe, expect, it } from 'vitest';
import { ServiceMetrics, subjectLabel } from './service-metrics';

describe('ServiceMetrics', () => {
  it('labels subjects without the deployment prefix and version', () => {
    expect(subjectLabel('ecert.v1.cert.certificates.issue')).toBe('cert.certificates.issue');
    expect(subjectLabel('t1abc.v1.workflow.applications.submit')).toBe('workflow.applications.submit');
    expect(subjectLabel('odd')).toBe('odd');
  });

  it('keeps one registry per service, every series labelled with it', async () => {
    const a = ServiceMetrics.of('unit-a');
    expect(ServiceMetrics.of('unit-a')).toBe(a);
    a.rpcRequests.inc({ subject: 's', outcome: 'ok' });
    const snap = await a.snapshot();
    const requests = snap.find((m) => m.name === 'ecert_rpc_requests_total')!;
    expect(requests.values).toEqual([expect.objectContaining({ value: 1, labels: { subject: 's', outcome: 'ok', service: 'unit-a' } })]);
    expect((await ServiceMetrics.of('unit-b').snapshot()).find((m) => m.name === 'ecert_rpc_requests_total')!.values).toEqual([]);
  });

  it('computes scraped gauges afresh, with the latest registration and no stale series', async () => {
    const m = ServiceMetrics.of('unit-c');
    m.scrapedGauge('unit_gauge', 'h', ['region'], (g) => g.set({ region: '450100' }, 2));
    expect((await m.snapshot()).find((x) => x.name === 'unit_gauge')!.values).toEqual([expect.objectContaining({ value: 2, labels: { region: '450100', service: 'unit-c' } })]);
    // A restarted service registers again: its computation replaces the old one, old series go.
    m.scrapedGauge('unit_gauge', 'h', ['region'], (g) => g.set({ region: '450200' }, 5));
    expect((await m.snapshot()).find((x) => x.name === 'unit_gauge')!.values).toEqual([expect.objectContaining({ value: 5, labels: { region: '450200', service: 'unit-c' } })]);
  });

  it('ownSnapshot leaves the scraped gauges out (never computed) and keeps the rest, labelled alike', async () => {
    const m = ServiceMetrics.of('unit-d');
    let computed = 0;
    m.scrapedGauge('unit_total_gauge', 'h', [], (g) => {
      computed++;
      g.set(7);
    });
    m.rpcRequests.inc({ subject: 's', outcome: 'ok' });
    const own = await m.ownSnapshot();
    expect(computed).toBe(0);
    expect(own.find((x) => x.name === 'unit_total_gauge')).toBeUndefined();
    expect(own.find((x) => x.name === 'ecert_rpc_requests_total')!.values).toEqual([expect.objectContaining({ value: 1, labels: { subject: 's', outcome: 'ok', service: 'unit-d' } })]);
    expect(own.map((x) => x.name).sort()).toEqual((await m.snapshot()).map((x) => x.name).filter((n) => n !== 'unit_total_gauge').sort());
    expect([...m.scrapedGaugeNames()]).toEqual(['unit_total_gauge']);
  });
});
