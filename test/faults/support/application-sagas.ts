import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { api, waitFor } from '../../support/http';
import { samplePdf, upload } from '../../support/materials';
import { loggedInStaff, type StaffHeaders } from '../../support/staff-login';
import type { TempDir } from '../../support/fixtures';
import { scanJpeg } from '../../../apps/seal-service/src/images/test-images.spec-helper';
import { applicationBody, send, type Call } from './load';
import type { CallDriver } from './fault-platform';
import type { Report } from './checker';

/** A 第十条 apply of a county unit: county, city and province review, then a UKey, its certificate and official seal. */
const UNIT_REGION = '450102';
const OFFICE = '450100';
const TIER_REGION: Record<string, string> = { county: UNIT_REGION, city: OFFICE, province: '450000' };
const TIER_ROLE: Record<string, string> = { county: 'county_acceptor', city: 'city_reviewer', province: 'province_approver' };

export interface PreparedApplication {
  id: string;
  uscc: string;
  handler: { name: string; idNumber: string };
  /** The last tier, whose approval starts the fulfilment saga. */
  finalTier: string;
  ukeySerial: string;
  csr: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Staff = Record<'county' | 'city' | 'province' | 'caOperator' | 'admin', StaffHeaders>;

/**
 * Applications filed by a business system, with their materials, submitted and approved by every
 * tier but the last (the staff of each tier logged in by certificate), and a UKey in stock and a
 * CSR for each: what the burst needs to approve them finally and report their production.
 */
export async function prepareApplications(base: string, dir: TempDir, csrs: string[], concurrency = 4): Promise<{ apps: PreparedApplication[]; staff: Staff }> {
  const staff: Staff = {
    county: await loggedInStaff(base, dir, 'county_acceptor', TIER_REGION.county),
    city: await loggedInStaff(base, dir, 'city_reviewer', TIER_REGION.city),
    province: await loggedInStaff(base, dir, 'province_approver', TIER_REGION.province),
    caOperator: await loggedInStaff(base, dir, 'ca_operator', '000000'),
    admin: await loggedInStaff(base, dir, 'admin', '000000'),
  };
  const client = await api(base, 'POST', '/api/v1/clients', { name: 'HRSS business system', department: '社保经办', operations: ['applications:submit', 'applications:read'], regionCodes: ['450000'] });
  if (client.status !== 201) throw new Error(`business system: ${client.status} ${JSON.stringify(client.body)}`);
  const system = { 'x-api-key': client.body.apiKey as string };
  const batch = `FAULT-${randomUUID().slice(0, 8)}`;
  const ukeys = csrs.map((_, i) => `UK-${batch}-${i}`);
  const stock = await api(base, 'POST', '/api/v1/ukeys/import', { batch, deliveredOn: '2026-11-20', items: ukeys.map((serial) => ({ serial, vendor: '飞天诚信', model: 'ePass3003' })) });
  if (stock.status !== 201) throw new Error(`UKey import: ${stock.status} ${JSON.stringify(stock.body)}`);
  // A set-up call that is safe to repeat (the keyed creation, an upload) is sent again if its
  // connection was reset (a kept-alive socket the gateway closed meanwhile) and, for an upload
  // (idempotent by content), after a 503 (the service too slow on the loaded machine).
  const ok = async (what: string, call: () => Promise<{ status: number; body: unknown }>, repeat: 'no' | 'reset' | 'reset-or-503' = 'no') => {
    for (let attempt = 1; ; attempt++) {
      const r = await call().catch((e: Error & { cause?: { code?: string } }) => {
        if (repeat === 'no' || e.cause?.code !== 'ECONNRESET' || attempt >= 3) throw e;
        return undefined;
      });
      if (r && r.status >= 200 && r.status < 300) return r.body as Record<string, any>;
      if (attempt >= 3 || (r && !(repeat === 'reset-or-503' && r.status === 503))) throw new Error(`${what}: ${r?.status} ${JSON.stringify(r?.body)}`);
      await sleep(1000);
    }
  };
  const one = async (i: number): Promise<PreparedApplication> => {
    const body = applicationBody(UNIT_REGION);
    const key = { 'idempotency-key': `fault-${randomUUID()}` };
    const created = await ok('application', () => api(base, 'POST', '/api/v1/applications', body, { ...system, ...key }), 'reset');
    for (const kind of created.checklist.missing as string[]) {
      const [bytes, type] = kind === 'seal_impression_form' ? [scanJpeg().jpeg, 'image/jpeg'] : [samplePdf(kind), 'application/pdf'];
      await ok(`material ${kind}`, () => upload(base, `/api/v1/applications/${created.id}/materials?kind=${kind}`, bytes, type, system), 'reset-or-503');
    }
    await ok('submission', () => api(base, 'POST', `/api/v1/applications/${created.id}/submit`, {}, system));
    const route = created.route as string[];
    for (const tier of route.slice(0, -1)) await ok(`${tier} approval`, () => api(base, 'POST', `/api/v1/applications/${created.id}/decisions`, { decision: 'approve' }, staff[tier as 'county' | 'city']));
    return { id: created.id, uscc: body.unit.uscc, handler: { name: body.handler.name, idNumber: body.handler.idNumber }, finalTier: route[route.length - 1], ukeySerial: ukeys[i], csr: csrs[i] };
  };
  const apps: PreparedApplication[] = [];
  for (let i = 0; i < csrs.length; i += concurrency) apps.push(...(await Promise.all(csrs.slice(i, i + concurrency).map((_, j) => one(i + j)))));
  return { apps, staff };
}

/**
 * Carries prepared applications through their final approval and the report of their production
 * (which sets the saga going: issue the certificate onto the UKey, make the seals), a few clients
 * at once, each one application at a time. A call without a clean answer is not retried blindly:
 * the client reads the application again and does what its state still needs (as a clerk would,
 * since these routes keep no command receipts). `stop()` waits until every saga has reached the
 * dispatch, then dispatches the UKeys to the city office and records every collection.
 */
export class ApplicationSagas implements CallDriver {
  readonly calls: Call[] = [];
  private readonly todo: PreparedApplication[];
  private running: Promise<void> | undefined;

  constructor(
    private readonly base: string,
    private readonly apps: PreparedApplication[],
    private readonly staff: Staff,
    private readonly clients = 4,
    private readonly pauseMs = 100,
  ) {
    this.todo = [...apps];
  }

  start(): this {
    this.running = Promise.all(Array.from({ length: this.clients }, () => this.client())).then(() => undefined);
    return this;
  }

  async stop(): Promise<Call[]> {
    await this.running;
    // The sagas left running when the service died go on after the restart (once their lease runs out).
    const waiting = await waitFor(
      async () => {
        const views = await Promise.all(this.apps.map((a) => this.read(a.id)));
        return views.every((v) => v && (v.status === 'needs_attention' || v.steps?.some((s: { name: string; status: string }) => s.name === 'dispatch' && s.status === 'running'))) && views;
      },
      120_000,
      1000,
    );
    const atDispatch = this.apps.filter((_, i) => waiting[i]!.status !== 'needs_attention');
    if (atDispatch.length) {
      const batch = await api(this.base, 'POST', '/api/v1/ukeys/dispatch-batches', { officeRegionCode: OFFICE, serials: atDispatch.map((a) => a.ukeySerial) }, this.staff.province);
      if (batch.status !== 201) throw new Error(`dispatch: ${batch.status} ${JSON.stringify(batch.body)}`);
      const receipt = await api(this.base, 'POST', `/api/v1/ukeys/dispatch-batches/${batch.body.id}/receipt`, {}, this.staff.city);
      if (receipt.status !== 200) throw new Error(`dispatch receipt: ${receipt.status} ${JSON.stringify(receipt.body)}`);
      await waitFor(async () => (await Promise.all(atDispatch.map((a) => this.read(a.id)))).every((v) => v?.status === 'ready_for_collection'), 60_000, 500);
      for (const a of atDispatch) {
        const c = await send(this.base, 'collection', `/api/v1/applications/${a.id}/collection`, { collector: a.handler }, undefined, undefined, this.staff.city);
        c.target = a.id;
        this.calls.push(c);
      }
    }
    return this.calls;
  }

  private async client(): Promise<void> {
    for (let a = this.todo.shift(); a; a = this.todo.shift()) {
      await this.drive(a);
      await sleep(this.pauseMs);
    }
  }

  /** Final approval, then production, whatever answers come back (bounded: two minutes per application). */
  private async drive(a: PreparedApplication): Promise<void> {
    const until = Date.now() + 120_000;
    let state = 'under_review';
    while (Date.now() < until) {
      let c: Call;
      if (state === 'under_review') {
        c = await send(this.base, 'approval', `/api/v1/applications/${a.id}/decisions`, { decision: 'approve' }, undefined, undefined, this.staff[a.finalTier as 'province']);
      } else if (state === 'awaiting_production') {
        c = await send(this.base, 'production', `/api/v1/applications/${a.id}/production`, { ukeySerial: a.ukeySerial, csr: a.csr }, undefined, undefined, this.staff.caOperator);
      } else return;
      c.target = a.id;
      this.calls.push(c);
      if (c.status >= 200 && c.status < 300) {
        state = (c.answer as { status: string }).status;
        continue;
      }
      // No clean answer: what happened is read back (once the service answers) before anything is sent again.
      let v: Record<string, any> | undefined;
      while (!v && Date.now() < until) {
        await sleep(500);
        v = await this.read(a.id);
      }
      if (v) state = v.status;
    }
  }

  private async read(id: string): Promise<Record<string, any> | undefined> {
    const r = await api(this.base, 'GET', `/api/v1/applications/${id}`, undefined, this.staff.admin).catch(() => undefined);
    return r?.status === 200 ? r.body : undefined;
  }
}

const is2xx = (c: Call) => c.status >= 200 && c.status < 300;

/**
 * The sagas' outcome against what the clients were told: each application completed (none stuck,
 * none needing attention), one certificate for it (on its UKey, the one its results name) and one
 * official seal, one approval per tier, each `application.*` milestone event once; every 2xx
 * approval, production and collection found. Adds to the report.
 */
export async function checkSagas(db: pg.Pool, apps: PreparedApplication[], calls: Call[], r: Report): Promise<void> {
  const rows = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[];
  const ids = apps.map((a) => a.id);
  const view = new Map(
    (await rows<{ id: string; status: string; attention: unknown; production: { ukeySerial?: string } | null; results: { certificateSerial?: string; sealIds?: string[] } }>(
      'SELECT id::text, status, attention, production, results FROM workflow.application WHERE id = ANY($1)',
      [ids],
    )).map((a) => [a.id, a]),
  );
  const certs = await rows<{ uscc: string; serial: string; ukey_serial: string | null }>('SELECT uscc, serial, ukey_serial FROM cert.certificate WHERE uscc = ANY($1)', [apps.map((a) => a.uscc)]);
  const seals = await rows<{ uscc: string; id: string; kind: string; status: string }>("SELECT uscc, id::text, kind, status FROM seal.seal WHERE uscc = ANY($1) AND status <> 'retired'", [apps.map((a) => a.uscc)]);
  const approvals = await rows<{ application_id: string; tier: string; n: number }>("SELECT application_id::text, tier, count(*)::int AS n FROM workflow.application_decision WHERE decision = 'approve' AND application_id = ANY($1) GROUP BY 1, 2", [ids]);
  const events = await rows<{ aggregate_id: string; type: string; n: number }>('SELECT aggregate_id, type, count(*)::int AS n FROM workflow.outbox WHERE aggregate_id = ANY($1) GROUP BY 1, 2', [ids]);
  const steps = await rows<{ application_id: string; name: string; status: string; last_error: string | null }>(
    "SELECT application_id::text, name, status, last_error FROM workflow.application_step WHERE application_id = ANY($1) AND phase = 'fulfilment'",
    [ids],
  );
  const dup = (kind: string, what: string) => {
    r.duplicated.push(what);
    r.duplicatedByKind[kind] = (r.duplicatedByKind[kind] ?? 0) + 1;
  };
  const found = (kind: string) => (r.found[kind] = (r.found[kind] ?? 0) + 1);
  for (const a of apps) {
    const v = view.get(a.id)!;
    r.acknowledged.saga = (r.acknowledged.saga ?? 0) + 1;
    const mine = certs.filter((c) => c.uscc === a.uscc);
    const official = seals.filter((s) => s.uscc === a.uscc && s.kind === 'official');
    if (mine.length > 1) dup('saga', `application ${a.id}: ${mine.length} certificates`);
    if (official.length > 1) dup('saga', `application ${a.id}: ${official.length} official seals`);
    for (const type of ['application.approved', 'application.produced', 'application.completed']) {
      const n = events.find((e) => e.aggregate_id === a.id && e.type === type)?.n ?? 0;
      if (n > 1) dup('saga', `application ${a.id}: ${n} ${type} events`);
    }
    for (const ap of approvals.filter((x) => x.application_id === a.id && x.n > 1)) dup('approval', `application ${a.id}: ${ap.n} approvals at the ${ap.tier} tier`);
    const notDone = steps.filter((s) => s.application_id === a.id && s.status !== 'done');
    const problem =
      v.status !== 'completed' || v.attention
        ? `status ${v.status}${v.attention ? ` (attention: ${JSON.stringify(v.attention)})` : ''}; steps not done: ${notDone.map((s) => `${s.name} ${s.status} ${s.last_error ?? ''}`).join(', ')}`
        : mine.length !== 1
          ? `${mine.length} certificates`
          : mine[0].serial !== v.results.certificateSerial || mine[0].ukey_serial !== a.ukeySerial
            ? `certificate ${mine[0].serial} on ${mine[0].ukey_serial}, results name ${v.results.certificateSerial} on ${a.ukeySerial}`
            : official.length !== 1 || official[0].status !== 'active'
              ? `${official.length} official seals (${official.map((s) => s.status).join(', ')})`
              : undefined;
    if (problem) r.lost.push(`application ${a.id}: ${problem}`);
    else found('saga');
  }
  for (const c of calls) {
    if (!is2xx(c) || !c.target) continue;
    const v = view.get(c.target);
    const a = apps.find((x) => x.id === c.target)!;
    if (c.kind === 'approval') {
      if ((approvals.find((x) => x.application_id === c.target && x.tier === a.finalTier)?.n ?? 0) >= 1) found('approval');
      else r.lost.push(`approval of ${c.target}: answered ${c.status}, no ${a.finalTier} approval stored`);
    } else if (c.kind === 'production') {
      if (v?.production?.ukeySerial === a.ukeySerial) found('production');
      else r.lost.push(`production of ${c.target} on ${a.ukeySerial}: answered ${c.status}, stored ${JSON.stringify(v?.production)}`);
    } else if (c.kind === 'collection') {
      if (v?.status === 'completed') found('collection');
      else r.lost.push(`collection of ${c.target}: answered ${c.status}, the application is ${v?.status}`);
    }
  }
}
