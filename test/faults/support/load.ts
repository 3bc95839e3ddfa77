import { randomUUID } from 'node:crypto';
import { makeResidentId, makeUscc, opensslAsync, TempDir } from '../../support/fixtures';
import { defaultHeaders } from '../../support/http';
import { sealPng } from '../../../apps/seal-service/src/images/test-images.spec-helper';

export type OpKind = 'issue' | 'freeze' | 'unfreeze' | 'revoke' | 'seal' | 'application' | 'approval' | 'production' | 'collection';

/** The calls that change a certificate's status (their answer is the certificate, its new status). */
export const LIFECYCLE_KINDS: ReadonlySet<OpKind> = new Set(['freeze', 'unfreeze', 'revoke']);

/** One HTTP call of the load and what came back (status 0: no answer at all). */
export interface Call {
  kind: OpKind;
  method: 'POST';
  path: string;
  body: unknown;
  idempotencyKey: string;
  requestId: string;
  status: number;
  contentType: string;
  code?: string;
  /** The certificate serial, seal id or application id the answer named. */
  ref?: string;
  /** The serial a lifecycle or seal-making call was about; the application an approval, production or collection was. */
  target?: string;
  answer?: unknown;
  /** The gateway it was sent to. */
  base?: string;
  /** Credentials of the call's own, if not the harness client's (a staff member's token). */
  headers?: Record<string, string>;
  /** The call this one repeats (same path, body and Idempotency-Key). */
  retryOf?: Call;
  startedAt: number;
  ms: number;
}

/** Key pairs and CSRs made before the load: openssl during the load would compete for the CPU. */
export async function makeCsrs(dir: TempDir, n: number): Promise<string[]> {
  const out: string[] = [];
  const one = async (i: number) => {
    const key = dir.file(`load-${i}.key`);
    const csr = dir.file(`load-${i}.csr`);
    const a = await opensslAsync(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    if (a.code) throw new Error(a.out);
    const b = await opensslAsync(['req', '-new', '-key', key, '-subj', '/C=CN/O=ecert fault/CN=requested', '-sha256', '-out', csr]);
    if (b.code) throw new Error(b.out);
    out.push(dir.read(`load-${i}.csr`).toString('utf8'));
  };
  for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, j) => one(i + j)));
  return out;
}

export const issueBody = (csr: string) => ({ profile: 'unit', csr, unit: { name: '南宁市故障测试有限公司', uscc: makeUscc(), regionCode: '450100', accountNo: 'FAULT-1' } });

export const applicationBody = (regionCode = '450100') => ({
  type: 'apply',
  unit: { name: '南宁市故障测试有限公司', address: '南宁市民族大道60号', postalCode: '530000', uscc: makeUscc(regionCode), regionCode, accountNo: `SI${Math.floor(Math.random() * 1e8)}` },
  handler: { name: '李经办', idNumber: makeResidentId('450102'), phone: '13912345678', email: 'jingban@example.cn' },
  seals: [{ kind: 'official', name: '南宁市故障测试有限公司' }],
});

const SEAL_PNG = sealPng(240, 20).toString('base64');

/** A department seal bound to a unit certificate; the name is the request's own, so the checker finds the seal it made. */
export const sealBody = (serial: string, name = `故障测试部门${randomUUID().slice(0, 8)}`) => ({ kind: 'department', name, image: SEAL_PNG, widthMm: 42, heightMm: 42, certificateSerial: serial });

/** Sends one call and records it; never throws (a refused connection or a timeout is status 0). */
export async function send(base: string, kind: OpKind, path: string, body: unknown, idempotencyKey = `fault-${randomUUID()}`, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<Call> {
  const requestId = `fault-${randomUUID()}`;
  const startedAt = Date.now();
  const call: Call = { kind, method: 'POST', path, body, idempotencyKey, requestId, base, status: 0, contentType: '', startedAt, ms: 0, ...(Object.keys(headers).length ? { headers } : {}) };
  try {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { ...defaultHeaders, ...headers, 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'x-request-id': requestId },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    call.status = res.status;
    call.contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    call.answer = parsed;
    call.code = parsed?.code as string | undefined;
    call.ref = (parsed?.serial ?? parsed?.id) as string | undefined;
  } catch (e) {
    // The cause tells a gateway that was not there (ECONNREFUSED) from one that went mid-call.
    const cause = ((e as Error).cause as { code?: string } | undefined)?.code;
    call.code = `no answer: ${(e as Error).name}${cause ? ` ${cause}` : ''}`;
  }
  call.ms = Date.now() - startedAt;
  return call;
}

/**
 * Sends each call again with its Idempotency-Key and body, as a client that got no clear answer
 * (or, with `all`, any answer) would. 2xx: the first call's result; 409: the gateway still holds
 * the key because the first outcome is unknown (see the idempotency interceptor).
 */
export async function retryCalls(base: string, calls: Call[], which: (c: Call) => boolean): Promise<Call[]> {
  const out: Call[] = [];
  const todo = calls.filter(which);
  for (let i = 0; i < todo.length; i += 8) {
    out.push(
      ...(await Promise.all(
        todo.slice(i, i + 8).map(async (c) => {
          const r = await send(base, c.kind, c.path, c.body, c.idempotencyKey, undefined, c.headers);
          r.target = c.target;
          r.retryOf = c;
          return r;
        }),
      )),
    );
  }
  return out;
}

/** A connection the gateway refused: the call never reached it, so nothing was done. */
export const refused = (c: Call) => c.status === 0 && (c.code ?? '').includes('ECONNREFUSED');

export interface LoadOptions {
  /** The gateway, or several: the clients are spread over them (client i starts on base i mod n). */
  base: string | string[];
  clients: number;
  csrs: string[];
  /**
   * Shares of the calls: freeze/unfreeze and revocations of certificates whose state the load
   * knows, seals made for active ones, applications; the rest are issuances (while CSRs last).
   */
  mix?: { issue: number; lifecycle: number; application: number; revoke?: number; seal?: number };
  /** Certificates known to be active when the load starts (made before it, e.g. with their seals). */
  certificates?: string[];
  /** At most this many revocations (a revoked certificate leaves the load for good). */
  maxRevocations?: number;
  /** Pause between a client's calls (ms), so two cores shared with others are not saturated. */
  pauseMs?: number;
}

/**
 * Mixed load of concurrent clients, each one call at a time: issuances (each with its own unit
 * and Idempotency-Key), freeze/unfreeze of certificates whose last acknowledged state is known
 * (a certificate whose call got no clean answer is left alone: its state is unknown) and new
 * applications. Records every call. `stop()` ends the load after the calls in flight.
 */
export class Load {
  readonly calls: Call[] = [];
  /** Certificates whose state the load knows from an acknowledged answer and no other call is on. */
  private readonly idle = new Map<string, 'active' | 'frozen'>();
  private stopping = false;
  private readonly bases: string[];
  private running: Promise<void> | undefined;

  private revocations = 0;

  constructor(private readonly opts: LoadOptions) {
    this.bases = Array.isArray(opts.base) ? opts.base : [opts.base];
    for (const serial of opts.certificates ?? []) this.idle.set(serial, 'active');
  }

  start(): this {
    this.running = Promise.all(Array.from({ length: this.opts.clients }, (_, i) => this.client(i % this.bases.length))).then(() => undefined);
    return this;
  }

  async stop(): Promise<Call[]> {
    this.stopping = true;
    await this.running;
    return this.calls;
  }

  /** Takes up to n certificates known to be active away from the load (for calls made around it). */
  take(n: number): string[] {
    const out = [...this.idle].filter(([, st]) => st === 'active').slice(0, n).map(([serial]) => serial);
    for (const s of out) this.idle.delete(s);
    return out;
  }

  private async client(first: number): Promise<void> {
    const mix = { revoke: 0, seal: 0, ...(this.opts.mix ?? { issue: 0.5, lifecycle: 0.35, application: 0.15 }) };
    const at = { base: first };
    while (!this.stopping) {
      const r = Math.random();
      let share = 0;
      // A share of 0 is never drawn, even when every other branch falls through.
      const drawn = (s: number) => s > 0 && r < (share += s);
      const active = this.hasActive();
      if (drawn(mix.lifecycle) && this.idle.size > 0) await this.lifecycle(at);
      else if (drawn(mix.revoke) && this.idle.size > 0 && this.revocations < (this.opts.maxRevocations ?? Infinity)) await this.revoke(at);
      else if (drawn(mix.seal) && active) await this.seal(at);
      else if (drawn(mix.application)) await this.application(at);
      else if (this.opts.csrs.length > 0) await this.issue(at);
      else if (this.idle.size > 0) await this.lifecycle(at);
      else if (mix.application > 0) await this.application(at);
      await new Promise((res) => setTimeout(res, this.opts.pauseMs ?? 50));
    }
  }

  /**
   * Sends on the client's gateway; one that refuses the connection is gone, and the call goes to
   * the next, as a load balancer does with an upstream that refuses (it never got the call).
   * A call cut off mid-way is not re-sent here: its outcome is unknown (the retries with the key tell).
   */
  private async sendVia(at: { base: number }, kind: OpKind, path: string, body: unknown): Promise<Call> {
    const key = `fault-${randomUUID()}`;
    let c = await send(this.bases[at.base], kind, path, body, key);
    for (let tries = 1; refused(c) && tries < this.bases.length; tries++) {
      at.base = (at.base + 1) % this.bases.length;
      c = await send(this.bases[at.base], kind, path, body, key);
    }
    return c;
  }

  private hasActive(): boolean {
    for (const st of this.idle.values()) if (st === 'active') return true;
    return false;
  }

  private async issue(at: { base: number }): Promise<void> {
    const c = await this.sendVia(at, 'issue', '/api/v1/certificates', issueBody(this.opts.csrs.pop()!));
    this.calls.push(c);
    if (c.status === 201 && c.ref) this.idle.set(c.ref, 'active');
  }

  private async lifecycle(at: { base: number }): Promise<void> {
    const [serial, state] = this.idle.entries().next().value as [string, 'active' | 'frozen'];
    this.idle.delete(serial);
    const op = state === 'active' ? 'freeze' : 'unfreeze';
    const c = await this.sendVia(at, op, `/api/v1/certificates/${serial}/${op}`, op === 'freeze' ? { comment: 'fault suite' } : {});
    c.target = serial;
    this.calls.push(c);
    if (c.status >= 200 && c.status < 300) this.idle.set(serial, op === 'freeze' ? 'frozen' : 'active');
  }

  private async revoke(at: { base: number }): Promise<void> {
    const serial = this.idle.keys().next().value as string;
    this.idle.delete(serial);
    this.revocations++;
    const c = await this.sendVia(at, 'revoke', `/api/v1/certificates/${serial}/revoke`, { reason: 'cessationOfOperation', comment: 'fault suite' });
    c.target = serial;
    this.calls.push(c);
    // Revoked or not (no clean answer): the load leaves it alone from now on.
  }

  /** A seal for an active certificate the load holds meanwhile (so no freeze races the seal-making). */
  private async seal(at: { base: number }): Promise<void> {
    const serial = [...this.idle].find(([, st]) => st === 'active')![0];
    this.idle.delete(serial);
    const c = await this.sendVia(at, 'seal', '/api/v1/seals', sealBody(serial));
    c.target = serial;
    this.calls.push(c);
    // A seal call without an answer is retried after the load: its certificate is kept active for it till then.
    if (c.status >= 200 && c.status < 300) this.idle.set(serial, 'active');
  }

  private async application(at: { base: number }): Promise<void> {
    const c = await this.sendVia(at, 'application', '/api/v1/applications', applicationBody());
    this.calls.push(c);
  }
}
