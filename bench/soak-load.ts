import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OCSPResponse } from '@peculiar/asn1-ocsp';
import { computeResidentIdCheckDigit } from '@ecert/common';
import type { CaView, CertificateView, Page } from '@ecert/contracts';
import { sealPng } from '../apps/seal-service/src/images/test-images.spec-helper';
import { benchUscc } from './issuance.bench';
import { makeCsr } from './openssl';
import { BenchError, mustRun } from './procs';
import { httpJson } from './platform';

/**
 * The soak's load: operations started at a fixed rate (open loop — a slow answer does not slow the
 * sender down, as the offices of a province do not wait for each other), drawn by weight from the
 * mix a province produces: mostly reads and OCSP, then issuance, lifecycle calls, applications and
 * seals. The load tracks each certificate's last acknowledged state, so a lifecycle call is only
 * made where it must succeed: any refusal is then the platform's fault, not the load's.
 */
export type SoakOp =
  | 'issue-p256'
  | 'issue-sm2'
  | 'issue-replay'
  | 'freeze'
  | 'unfreeze'
  | 'renew'
  | 'get-certificate'
  | 'list-certificates'
  | 'ocsp'
  | 'ocsp-nonce'
  | 'crl'
  | 'application-create'
  | 'report-loss'
  | 'seal-create';

/** Relative weights (operations, not HTTP calls: a paged list or a report-loss is two calls). */
export const SOAK_MIX: Record<SoakOp, number> = {
  'ocsp': 18,
  'ocsp-nonce': 8,
  'get-certificate': 14,
  'list-certificates': 8,
  'crl': 4,
  'issue-p256': 10,
  'issue-sm2': 7,
  'issue-replay': 3,
  'freeze': 6,
  'unfreeze': 5,
  'renew': 4,
  'application-create': 4,
  'report-loss': 2,
  'seal-create': 3,
};

/**
 * Answers that are a business refusal of a well-formed request, not a fault. Empty: the load only
 * asks for what must succeed (see above), so every non-2xx is counted as an error.
 */
export const EXPECTED_REFUSALS: ReadonlySet<string> = new Set<string>();

export interface SoakCall {
  op: SoakOp;
  /** Seconds since the load started. */
  t: number;
  method: string;
  path: string;
  status: number;
  code?: string;
  ms: number;
  /** What made a 2xx wrong (an OCSP answer not successful, a replay naming another serial). */
  wrong?: string;
}

interface Cert {
  serial: string;
  kind: 'p256' | 'sm2';
  keyIdx: number;
  unit: { name: string; uscc: string; regionCode: string; accountNo: string };
  sealed?: boolean;
}

const REGION = '450100';
const UNIT_NAME = '广西浸泡测试科技有限公司';
const KEYS_PER_KIND = 3;
const OCSP_NONCE_VARIANTS = 6;
const SEED_CERTS = 40;

export interface SoakFixtures {
  csrs: Record<'p256' | 'sm2', string[]>;
  ocsp: { plain: Buffer[]; nonce: Buffer[] };
  crlFiles: string[];
  sealImage: string;
}

/**
 * Everything made before the load (openssl during it would compete for the CPU): a few key pairs
 * and CSRs of each kind, one certificate of each kind issued up front and OCSP requests about them
 * (with and without a nonce).
 */
export async function makeSoakFixtures(baseUrl: string, apiKey: string | undefined, dir: string): Promise<{ fixtures: SoakFixtures; seed: Cert[] }> {
  const csrs: SoakFixtures['csrs'] = { p256: [], sm2: [] };
  for (const kind of ['p256', 'sm2'] as const) {
    for (let i = 0; i < KEYS_PER_KIND; i++) {
      const sub = path.join(dir, `${kind}-${i}`);
      mkdirSync(sub, { recursive: true });
      csrs[kind].push((await makeCsr(sub, kind)).csrPem);
    }
  }
  const headers = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) };
  // A stock of certificates, so that lifecycle calls, seals and loss reports have targets from the
  // first second (their absence would turn them into substitutes and skew the mix).
  const seed: Cert[] = [];
  for (let i = 0; i < SEED_CERTS; i += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, SEED_CERTS - i) }, async (_, j) => {
        const kind = (i + j) % 2 ? 'sm2' : 'p256';
        const keyIdx = (i + j) % KEYS_PER_KIND;
        const unit = newUnit();
        const r = await httpJson<CertificateView>(`${baseUrl}/api/v1/certificates`, { method: 'POST', headers, body: JSON.stringify({ profile: 'unit', csr: csrs[kind][keyIdx], unit }) });
        if (r.status !== 201) throw new BenchError(`seed issuance (${kind}) answered ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
        seed.push({ serial: r.body.serial, kind, keyIdx, unit });
      }),
    );
  }
  const cas = await httpJson<CaView[]>(`${baseUrl}/pki/ca`);
  if (cas.status !== 200 || !Array.isArray(cas.body)) throw new BenchError(`GET /pki/ca answered ${cas.status}`);
  const ocsp: SoakFixtures['ocsp'] = { plain: [], nonce: [] };
  for (const c of (['p256', 'sm2'] as const).map((k) => seed.find((x) => x.kind === k)!)) {
    const family = c.kind === 'p256' ? 'ecdsa' : 'sm2';
    const issuing = cas.body.find((x) => x.family === family && x.role === 'issuing');
    if (!issuing) throw new BenchError(`GET /pki/ca lists no ${family} issuing CA`);
    const view = await httpJson<CertificateView>(`${baseUrl}/api/v1/certificates/${c.serial}`, { headers });
    const f = (n: string) => path.join(dir, `${c.serial}-${n}`);
    writeFileSync(f('issuer.pem'), issuing.certificatePem);
    writeFileSync(f('leaf.pem'), view.body.certificatePem);
    await mustRun('openssl', ['ocsp', '-issuer', f('issuer.pem'), '-cert', f('leaf.pem'), '-reqout', f('plain.der'), '-no_nonce']);
    ocsp.plain.push(readFileSync(f('plain.der')));
    for (let i = 0; i < OCSP_NONCE_VARIANTS; i++) {
      await mustRun('openssl', ['ocsp', '-issuer', f('issuer.pem'), '-cert', f('leaf.pem'), '-reqout', f(`nonce-${i}.der`)]);
      ocsp.nonce.push(readFileSync(f(`nonce-${i}.der`)));
    }
  }
  return {
    fixtures: { csrs, ocsp, crlFiles: ['ecdsa-issuing.crl', 'sm2-issuing.crl'], sealImage: sealPng(240, 20).toString('base64') },
    seed,
  };
}

let accountSeq = 0;
function newUnit(): Cert['unit'] {
  return { name: UNIT_NAME, uscc: benchUscc(), regionCode: REGION, accountNo: `SOAK-${process.pid}-${++accountSeq}` };
}

let residentSeq = 0;
function residentId(): string {
  const first17 = `450102${'19850312'}${String(100 + (residentSeq++ % 900))}`;
  return first17 + computeResidentIdCheckDigit(first17);
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** Takes a random entry out of a map (so that no other call works on it meanwhile). */
function takeRandom<V>(m: Map<string, V>, where: (v: V) => boolean = () => true): V | undefined {
  if (!m.size) return undefined;
  const skip = Math.floor(Math.random() * m.size);
  let i = 0;
  let fallback: [string, V] | undefined;
  for (const e of m) {
    if (where(e[1])) {
      fallback = e;
      if (i >= skip) break;
    }
    i++;
  }
  if (fallback) m.delete(fallback[0]);
  return fallback?.[1];
}

export interface SoakLoadOptions {
  baseUrl: string;
  apiKey?: string;
  ratePerS: number;
  durationS: number;
  fixtures: SoakFixtures;
  seed: Cert[];
  /** Most operations in flight at once; one more scheduled is counted as skipped (an error). */
  maxInFlight?: number;
  timeoutMs?: number;
}

export interface SoakLoadResult {
  calls: SoakCall[];
  /** Operations scheduled but not started: too many in flight (the platform fell behind). */
  skipped: number;
  started: number;
  /** Operations whose precondition was not met (no certificate in the state needed) and were replaced by a GET of a certificate. */
  substituted: Partial<Record<SoakOp, number>>;
  durationS: number;
}

export class SoakLoad {
  readonly calls: SoakCall[] = [];
  private readonly active = new Map<string, Cert>();
  private readonly frozen = new Map<string, Cert>();
  /** Every serial seen (any state): GET and OCSP targets. Bounded. */
  private readonly known: string[] = [];
  private readonly replayable: { key: string; body: string; serial: string }[] = [];
  private inFlight = 0;
  private skipped = 0;
  private started = 0;
  private readonly substituted: Partial<Record<SoakOp, number>> = {};
  private t0 = 0;
  private readonly ops: [SoakOp, number][];
  private readonly totalWeight: number;
  private readonly cursors: string[] = [];

  constructor(private readonly o: SoakLoadOptions) {
    for (const c of o.seed) this.remember(c, 'active');
    this.ops = Object.entries(SOAK_MIX) as [SoakOp, number][];
    this.totalWeight = this.ops.reduce((a, [, w]) => a + w, 0);
  }

  /** Starts ratePerS operations a second for durationS, then waits for those in flight. */
  async run(onTick?: (elapsedS: number) => void): Promise<SoakLoadResult> {
    this.t0 = Date.now();
    const end = this.t0 + this.o.durationS * 1000;
    const max = this.o.maxInFlight ?? 256;
    const pending = new Set<Promise<void>>();
    let due = 0;
    let lastTick = 0;
    while (Date.now() < end) {
      const elapsed = (Date.now() - this.t0) / 1000;
      const target = Math.floor(elapsed * this.o.ratePerS);
      for (; due < target; due++) {
        if (this.inFlight >= max) {
          this.skipped++;
          continue;
        }
        this.started++;
        this.inFlight++;
        const p: Promise<void> = this.one(this.draw())
          .catch(() => undefined)
          .finally(() => {
            this.inFlight--;
            pending.delete(p);
          });
        pending.add(p);
      }
      if (onTick && Math.floor(elapsed) !== lastTick) {
        lastTick = Math.floor(elapsed);
        onTick(elapsed);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all([...pending]);
    return { calls: this.calls, skipped: this.skipped, started: this.started, substituted: this.substituted, durationS: this.o.durationS };
  }

  private draw(): SoakOp {
    let r = Math.random() * this.totalWeight;
    for (const [op, w] of this.ops) if ((r -= w) < 0) return op;
    return this.ops[0]![0];
  }

  private remember(c: Cert, state: 'active' | 'frozen'): void {
    (state === 'active' ? this.active : this.frozen).set(c.serial, c);
    if (this.known.length < 5000) this.known.push(c.serial);
    else this.known[Math.floor(Math.random() * this.known.length)] = c.serial;
  }

  private async one(op: SoakOp): Promise<void> {
    switch (op) {
      case 'issue-p256':
        return this.issue('p256', op);
      case 'issue-sm2':
        return this.issue('sm2', op);
      case 'issue-replay':
        return this.replay();
      case 'freeze':
      case 'unfreeze':
      case 'renew':
        return this.lifecycle(op);
      case 'get-certificate': {
        const serial = pick(this.known);
        await this.call(op, 'GET', `/api/v1/certificates/${serial}`, undefined, {}, (b) => ((b as CertificateView)?.serial === serial ? undefined : 'another serial'));
        return;
      }
      case 'list-certificates': {
        const after = this.cursors.length && Math.random() < 0.5 ? this.cursors.shift() : undefined;
        const r = await this.call(op, 'GET', `/api/v1/certificates?pageSize=20${after ? `&after=${after}` : ''}`);
        const next = (r.body as Page<CertificateView> | undefined)?.next;
        if (next && this.cursors.length < 50) this.cursors.push(next);
        return;
      }
      case 'ocsp':
      case 'ocsp-nonce':
        return this.ocsp(op);
      case 'crl':
        await this.call(op, 'GET', `/pki/crl/${pick(this.o.fixtures.crlFiles)}`, undefined, {}, (b) => (Buffer.isBuffer(b) && b.length > 0 && b[0] === 0x30 ? undefined : 'not a DER CRL'), true);
        return;
      case 'application-create':
        await this.call(op, 'POST', '/api/v1/applications', {
          type: 'apply',
          unit: { ...newUnit(), address: '南宁市民族大道60号', postalCode: '530000' },
          handler: { name: '李经办', idNumber: residentId(), phone: '13912345678', email: 'jingban@example.cn' },
          seals: [{ kind: 'official', name: UNIT_NAME }],
        });
        return;
      case 'report-loss':
        return this.reportLoss();
      case 'seal-create':
        return this.seal();
    }
  }

  private substitute(op: SoakOp): Promise<void> {
    this.substituted[op] = (this.substituted[op] ?? 0) + 1;
    return this.one('get-certificate');
  }

  private async issue(kind: 'p256' | 'sm2', op: SoakOp): Promise<void> {
    const keyIdx = Math.floor(Math.random() * KEYS_PER_KIND);
    const unit = newUnit();
    const body = JSON.stringify({ profile: 'unit', csr: this.o.fixtures.csrs[kind][keyIdx], unit });
    const key = `soak-${randomUUID()}`;
    const r = await this.call(op, 'POST', '/api/v1/certificates', body, { 'idempotency-key': key });
    const serial = (r.body as CertificateView | undefined)?.serial;
    if (r.status === 201 && serial) {
      this.remember({ serial, kind, keyIdx, unit }, 'active');
      if (this.replayable.length >= 50) this.replayable.shift();
      this.replayable.push({ key, body, serial });
    }
  }

  /** The same issuance again with its Idempotency-Key, as a client that lost the answer: the same certificate. */
  private async replay(): Promise<void> {
    const x = this.replayable.length ? this.replayable.splice(Math.floor(Math.random() * this.replayable.length), 1)[0]! : undefined;
    if (!x) return this.substitute('issue-replay');
    await this.call('issue-replay', 'POST', '/api/v1/certificates', x.body, { 'idempotency-key': x.key }, (b) =>
      (b as CertificateView | undefined)?.serial === x.serial ? undefined : `replay answered serial ${(b as CertificateView | undefined)?.serial}, first answer ${x.serial}`,
    );
  }

  private async lifecycle(op: 'freeze' | 'unfreeze' | 'renew'): Promise<void> {
    const c = op === 'unfreeze' ? takeRandom(this.frozen) : takeRandom(this.active);
    if (!c) return this.substitute(op);
    const key = `soak-${randomUUID()}`;
    if (op === 'renew') {
      const keyIdx = (c.keyIdx + 1) % KEYS_PER_KIND;
      const r = await this.call(op, 'POST', `/api/v1/certificates/${c.serial}/renew`, { csr: this.o.fixtures.csrs[c.kind][keyIdx] }, { 'idempotency-key': key });
      const serial = (r.body as CertificateView | undefined)?.serial;
      // The unit's seals follow to the new certificate (the seal-service makes successors): same `sealed`.
      if (r.status === 201 && serial) this.remember({ ...c, serial, keyIdx }, 'active');
      else if (r.status === 0 || r.status >= 500) return; // state unknown: left alone
      else this.active.set(c.serial, c);
      return;
    }
    const r = await this.call(op, 'POST', `/api/v1/certificates/${c.serial}/${op}`, op === 'freeze' ? { comment: 'soak' } : {}, { 'idempotency-key': key });
    if (r.status >= 200 && r.status < 300) (op === 'freeze' ? this.frozen : this.active).set(c.serial, c);
    else if (r.status >= 400 && r.status < 500) (op === 'freeze' ? this.active : this.frozen).set(c.serial, c);
  }

  /** 挂失 through the workflow: a report_loss application for an active certificate, submitted (it freezes it at once). */
  private async reportLoss(): Promise<void> {
    const c = takeRandom(this.active);
    if (!c) return this.substitute('report-loss');
    const created = await this.call('report-loss', 'POST', '/api/v1/applications', {
      type: 'report_loss',
      targetSerial: c.serial,
      seals: [],
      statement: '经办人遗失UKey（浸泡测试）',
      unit: { ...c.unit, address: '南宁市民族大道60号', postalCode: '530000' },
      handler: { name: '李经办', idNumber: residentId(), phone: '13912345678', email: 'jingban@example.cn' },
    });
    const id = (created.body as { id?: string } | undefined)?.id;
    if (created.status !== 201 || !id) return;
    // The certificate stays out of the pools: an open loss report holds it frozen.
    await this.call('report-loss', 'POST', `/api/v1/applications/${id}/submit`, {});
  }

  private async seal(): Promise<void> {
    const c = takeRandom(this.active, (x) => x.kind === 'sm2' && !x.sealed);
    if (!c) return this.substitute('seal-create');
    const r = await this.call('seal-create', 'POST', '/api/v1/seals', { kind: 'official', name: c.unit.name, image: this.o.fixtures.sealImage, widthMm: 42, heightMm: 42, certificateSerial: c.serial });
    if (r.status === 201 || (r.status >= 400 && r.status < 500)) this.active.set(c.serial, { ...c, sealed: true });
  }

  private async ocsp(op: 'ocsp' | 'ocsp-nonce'): Promise<void> {
    const der = pick(op === 'ocsp' ? this.o.fixtures.ocsp.plain : this.o.fixtures.ocsp.nonce);
    await this.call(op, 'POST', '/pki/ocsp', der, { 'content-type': 'application/ocsp-request' }, (b) => {
      try {
        const status = AsnConvert.parse(b as Buffer, OCSPResponse).responseStatus;
        return status === 0 ? undefined : `OCSPResponseStatus ${status}`;
      } catch {
        return 'not an OCSP response';
      }
    }, true);
  }

  /** One HTTP call, recorded; never throws (no answer within the timeout is status 0). */
  private async call(
    op: SoakOp,
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
    check?: (body: unknown) => string | undefined,
    binary = false,
  ): Promise<{ status: number; body: unknown }> {
    const started = Date.now();
    const rec: SoakCall = { op, t: (started - this.t0) / 1000, method, path: urlPath.replace(/[0-9a-f]{16,}|[0-9a-f-]{36}/g, ':id').replace(/after=[^&]+/, 'after=…'), status: 0, ms: 0 };
    let parsed: unknown;
    try {
      const res = await fetch(this.o.baseUrl + urlPath, {
        method,
        headers: {
          ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
          ...(this.o.apiKey ? { 'x-api-key': this.o.apiKey } : {}),
          'x-request-id': `soak-${randomUUID()}`,
          ...headers,
        },
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 20_000),
      });
      rec.status = res.status;
      const bytes = Buffer.from(await res.arrayBuffer());
      const json = (res.headers.get('content-type') ?? '').includes('json');
      parsed = json ? JSON.parse(bytes.toString('utf8') || 'null') : binary ? bytes : bytes.toString('utf8');
      if (json && res.status >= 400) rec.code = (parsed as { code?: string } | null)?.code;
      if (res.status >= 200 && res.status < 300 && check) rec.wrong = check(parsed);
    } catch (e) {
      rec.code = `no answer: ${(e as Error).name}`;
    }
    rec.ms = Date.now() - started;
    this.calls.push(rec);
    return { status: rec.status, body: parsed };
  }
}

/** An error is any answer that is neither 2xx (and right) nor an expected refusal. */
export function isError(c: SoakCall): boolean {
  if (c.status >= 200 && c.status < 300) return c.wrong !== undefined;
  return !EXPECTED_REFUSALS.has(c.code ?? '');
}
