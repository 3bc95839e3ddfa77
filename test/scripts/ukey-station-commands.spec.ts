import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createPublicKey, randomBytes, verify, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptCsr, buildCertificate, encodeName, encodePem, newSerialNumber, UkeyToken, type Signer } from '@ecert/pki';
import { ecdsaTestKey } from '../../libs/pki/src/x509/test-signers.spec-helper';
import { onPath, requireTool } from '../support/optional-tool';
import { produceUkey, UKEY_KEY_LABEL, UKEY_SEAL_APPLICATION, ukeySealLabel } from '../../scripts/ukey-produce';
import { unlockUkey } from '../../scripts/ukey-unlock';

/**
 * The station commands against a stand-in for the platform's REST endpoints (the real ones are
 * exercised by test/e2e/ukey-station.e2e-spec.ts) and SoftHSM2 as the UKey: the order of calls,
 * what is written onto the token, and the failure paths (attention, a spent authorisation, a
 * retried unlock, the wrong token).
 */
const LIBRARY = process.env.ECERT_SOFTHSM2_LIB ?? '/usr/lib/softhsm/libsofthsm2.so';
const HAVE_SOFTHSM = requireTool({
  name: `SoftHSM2 (${LIBRARY} and softhsm2-util)`,
  present: existsSync(LIBRARY) && onPath('softhsm2-util'),
  apt: 'softhsm2',
  tests: 'UKey station command tests',
});

const TOKEN = 'staff-token-of-a-ca-operator';
const USER_PIN = '135790';

interface FakeApplication {
  id: string;
  type: 'apply' | 'unlock';
  status: string;
  unit: { name: string };
  seals: { kind: string; name: string }[];
  results: { certificateSerial?: string; sealIds?: string[]; ukeySerial?: string };
  attention?: { reason: string; step: string; at: string };
  /** What production does: issue (after `issueAfterPolls` GETs) or fail. */
  outcome?: 'issue' | 'attention';
  issueAfterPolls?: number;
  csr?: string;
}

/** A minimal platform: applications, SO PIN release (once), unlock authorisation (once), issuance. */
class FakePlatform {
  readonly apps = new Map<string, FakeApplication>();
  readonly certs = new Map<string, { certificatePem: string; chainPem: string[]; subject: string }>();
  readonly seals = new Map<string, Uint8Array>();
  readonly soPins = new Map<string, string>();
  readonly nextSoPins = new Map<string, string>();
  readonly released = new Set<string>();
  /** Lets the unlock authorisation be fetched again (a platform that re-releases until completion). */
  reRelease = false;
  readonly calls: string[] = [];
  #server?: Server;
  #ca?: { signer: Signer; der: Uint8Array; name: Uint8Array };
  url = '';

  async start(): Promise<void> {
    const ca = ecdsaTestKey().signer;
    const name = encodeName({ C: 'CN', O: 'ecert test', CN: 'ecert test unit CA' });
    const now = Date.now();
    const der = await buildCertificate({ issuer: { name, spki: ca.spki }, signer: ca, subjectName: name, subjectSpki: ca.spki, serialNumber: newSerialNumber(), notBefore: new Date(now - 60_000), notAfter: new Date(now + 864e5), extensions: [] });
    this.#ca = { signer: ca, der, name };
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  add(app: Partial<FakeApplication> & Pick<FakeApplication, 'type' | 'status'>): FakeApplication {
    const full: FakeApplication = { id: randomBytes(8).toString('hex'), unit: { name: '南宁市某科技有限公司' }, seals: [], results: {}, outcome: 'issue', issueAfterPolls: 1, ...app };
    this.apps.set(full.id, full);
    return full;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const path = req.url ?? '';
    this.calls.push(`${req.method} ${path}`);
    const send = (status: number, json: unknown): void => {
      res.writeHead(status, { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' }).end(JSON.stringify(json));
    };
    const problem = (status: number, code: string, detail: string): void => send(status, { status, code, title: code, detail });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return problem(401, 'unauthorized', 'no token');
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/v1\/applications\/([^/]+)$/.exec(path)) && req.method === 'GET') {
      const app = this.apps.get(m[1]!);
      if (!app) return problem(404, 'not_found', 'no such application');
      if (app.status === 'fulfilling' && app.issueAfterPolls !== undefined && app.issueAfterPolls-- <= 0) await this.#fulfil(app);
      return send(200, app);
    }
    if ((m = /^\/api\/v1\/applications\/([^/]+)\/production\/so-pin$/.exec(path))) {
      const app = this.apps.get(m[1]!)!;
      if (app.status !== 'awaiting_production') return problem(409, 'illegal_transition', 'not awaiting production');
      if (this.released.has(`${app.id}:${body.ukeySerial}`)) return problem(409, 'so_pin_released', 'the SO PIN of this UKey was released already');
      this.released.add(`${app.id}:${body.ukeySerial}`);
      const soPin = randomBytes(6).toString('hex');
      this.soPins.set(body.ukeySerial, soPin);
      return send(200, { serial: body.ukeySerial, soPin });
    }
    if ((m = /^\/api\/v1\/applications\/([^/]+)\/unlock-authorisation$/.exec(path))) {
      const app = this.apps.get(m[1]!)!;
      if (app.type !== 'unlock' || app.status !== 'awaiting_production') return problem(409, 'illegal_transition', 'no approved unlock application');
      if (this.released.has(`${app.id}:${body.ukeySerial}`) && !this.reRelease) return problem(409, 'authorisation_used', 'the unlock authorisation was released already');
      this.released.add(`${app.id}:${body.ukeySerial}`);
      const soPin = this.soPins.get(body.ukeySerial)!;
      const nextSoPin = this.nextSoPins.get(body.ukeySerial) ?? randomBytes(6).toString('hex');
      this.nextSoPins.set(body.ukeySerial, nextSoPin);
      return send(200, { serial: body.ukeySerial, applicationId: app.id, soPin, nextSoPin, expiresAt: new Date(Date.now() + 600_000).toISOString(), completionChallenge: randomBytes(32).toString('base64') });
    }
    if ((m = /^\/api\/v1\/applications\/([^/]+)\/unlock-completion$/.exec(path))) {
      const app = this.apps.get(m[1]!)!;
      if (app.type !== 'unlock' || app.status !== 'awaiting_production') return problem(409, 'illegal_transition', 'no approved unlock application');
      if (typeof body.signature !== 'string' || body.signature.length < 16) return problem(422, 'unlock_not_proven', 'the completion challenge signed by the UKey is required');
      app.results.ukeySerial = body.ukeySerial;
      // The SO PIN the token now has is the next one.
      this.soPins.set(body.ukeySerial, this.nextSoPins.get(body.ukeySerial)!);
      this.nextSoPins.delete(body.ukeySerial);
      app.status = 'completed';
      return send(200, app);
    }
    if ((m = /^\/api\/v1\/applications\/([^/]+)\/production$/.exec(path))) {
      const app = this.apps.get(m[1]!)!;
      if (app.status !== 'awaiting_production') return problem(409, 'illegal_transition', 'not awaiting production');
      app.results.ukeySerial = body.ukeySerial;
      if (app.type === 'unlock') return problem(409, 'illegal_transition', 'an unlock is completed with unlock-completion');
      acceptCsr(body.csr); // throws → 500 (the test would see it)
      app.csr = body.csr;
      app.status = 'fulfilling';
      return send(200, app);
    }
    if ((m = /^\/api\/v1\/certificates\/([0-9a-f]+)$/.exec(path))) {
      const c = this.certs.get(m[1]!);
      return c ? send(200, { serial: m[1], ...c }) : problem(404, 'not_found', 'no such certificate');
    }
    if ((m = /^\/api\/v1\/seals\/([^/]+)\.esl$/.exec(path))) {
      const esl = this.seals.get(m[1]!);
      if (!esl) return problem(404, 'not_found', 'no such seal');
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(esl));
      return;
    }
    problem(404, 'not_found', `${req.method} ${path}`);
  }

  async #fulfil(app: FakeApplication): Promise<void> {
    if (app.outcome === 'attention') {
      app.status = 'needs_attention';
      app.attention = { reason: 'the CA refused the request: unit certificate exists', step: 'issue_certificate', at: new Date().toISOString() };
      return;
    }
    const ca = this.#ca!;
    const csr = acceptCsr(app.csr!);
    const serialBytes = newSerialNumber();
    const now = Date.now();
    const der = await buildCertificate({ issuer: { name: ca.name, spki: ca.signer.spki }, signer: ca.signer, subjectName: csr.subjectDer, subjectSpki: csr.subjectSpki, serialNumber: serialBytes, notBefore: new Date(now - 60_000), notAfter: new Date(now + 864e5), extensions: [] });
    const serial = Buffer.from(serialBytes).toString('hex');
    this.certs.set(serial, { certificatePem: encodePem('CERTIFICATE', der), chainPem: [encodePem('CERTIFICATE', ca.der)], subject: csr.subject });
    const sealIds = app.seals.map(() => {
      const id = crypto.randomUUID();
      this.seals.set(id, new Uint8Array(randomBytes(300)));
      return id;
    });
    app.results = { ...app.results, certificateSerial: serial, sealIds };
    app.status = 'ready_for_collection';
  }
}

describe.skipIf(!HAVE_SOFTHSM)('ukey:produce and ukey:unlock against a stand-in platform', () => {
  const fake = new FakePlatform();
  let dir: string;
  const previousConf = process.env.SOFTHSM2_CONF;
  let serialNo = 0;
  const nextSerial = () => `GX-UK-${String(++serialNo).padStart(6, '0')}`;
  const common = () => ({ url: fake.url, token: TOKEN, modulePath: LIBRARY, pollIntervalMs: 20 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecert-station-'));
    mkdirSync(join(dir, 'tokens'));
    writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.calls.length = 0;
    fake.reRelease = false;
  });

  async function produced(): Promise<{ serial: string; certificateSerial: string }> {
    const app = fake.add({ type: 'apply', status: 'awaiting_production', seals: [{ kind: 'official', name: '南宁市某科技有限公司' }] });
    const serial = nextSerial();
    const r = await produceUkey({ ...common(), applicationId: app.id, ukeySerial: serial, userPin: USER_PIN });
    return { serial, certificateSerial: r.certificateSerial };
  }

  it('produces onto a blank token: key, certificate, chain and seals on it, usable for a login with the token alone', async () => {
    const app = fake.add({ type: 'apply', status: 'awaiting_production', seals: [{ kind: 'official', name: 'a' }, { kind: 'special', name: 'b' }] });
    const serial = nextSerial();
    const lines: string[] = [];
    const result = await produceUkey({ ...common(), applicationId: app.id, ukeySerial: serial, userPin: USER_PIN, log: (l) => lines.push(l) });
    expect(result).toMatchObject({ applicationId: app.id, ukeySerial: serial, keyId: '01', chainCertificates: 1, status: 'ready_for_collection' });
    expect(result.sealIds).toHaveLength(2);
    expect(result.subject).toContain('CN=南宁市某科技有限公司');
    expect(fake.calls.filter((c) => c.startsWith('POST'))).toEqual([`POST /api/v1/applications/${app.id}/production/so-pin`, `POST /api/v1/applications/${app.id}/production`]);
    expect(lines.join('\n')).not.toContain(fake.soPins.get(serial)!); // PINs are never logged

    // Later, anywhere: the token alone (its label, its objects, its key) is enough to log in.
    const token = UkeyToken.open({ libraryPath: LIBRARY, label: serial });
    try {
      const certs = token.readCertificates();
      const leaf = certs.find((c) => c.label === UKEY_KEY_LABEL)!;
      expect(leaf.id).toBe('01');
      expect(new X509Certificate(Buffer.from(leaf.der)).serialNumber.toLowerCase().replace(/^0+/, '')).toBe(result.certificateSerial.replace(/^0+/, ''));
      expect(certs.filter((c) => c.label.startsWith('ca:'))).toHaveLength(1);
      for (const id of result.sealIds) expect(token.readData(ukeySealLabel(id))).toEqual(fake.seals.get(id));
      expect(new Set(token.listData().map((d) => d.application))).toEqual(new Set([UKEY_SEAL_APPLICATION]));

      const challenge = randomBytes(32);
      token.loginUser(USER_PIN);
      const signature = token.sign(leaf.id, challenge);
      const key = new X509Certificate(Buffer.from(leaf.der)).publicKey;
      expect(verify('sha256', challenge, { key, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(createPublicKey({ key: Buffer.from(token.publicKey('01')), format: 'der', type: 'spki' }).equals(key)).toBe(true);
    } finally {
      token.close();
    }
  });

  it('refuses an initialised token of another UKey before asking for the SO PIN', async () => {
    const { serial } = await produced();
    const app = fake.add({ type: 'apply', status: 'awaiting_production' });
    fake.calls.length = 0;
    await expect(produceUkey({ ...common(), applicationId: app.id, label: serial, ukeySerial: nextSerial(), userPin: USER_PIN })).rejects.toThrow(`initialised as "${serial}"`);
    expect(fake.calls).toEqual([`GET /api/v1/applications/${app.id}`]);
  });

  it('refuses an application that is not awaiting production', async () => {
    const app = fake.add({ type: 'apply', status: 'under_review' });
    await expect(produceUkey({ ...common(), applicationId: app.id, ukeySerial: nextSerial(), userPin: USER_PIN })).rejects.toThrow('is under_review, not awaiting production');
  });

  it('fails with the reason when the application needs attention', async () => {
    const app = fake.add({ type: 'apply', status: 'awaiting_production', outcome: 'attention' });
    await expect(produceUkey({ ...common(), applicationId: app.id, ukeySerial: nextSerial(), userPin: USER_PIN })).rejects.toThrow('needs attention: the CA refused the request: unit certificate exists (step issue_certificate)');
  });

  it('resumes after a timeout: waits and writes without touching the key', async () => {
    const app = fake.add({ type: 'apply', status: 'awaiting_production', seals: [{ kind: 'official', name: 'a' }], issueAfterPolls: 1_000_000 });
    const serial = nextSerial();
    await expect(produceUkey({ ...common(), applicationId: app.id, ukeySerial: serial, userPin: USER_PIN, timeoutMs: 200 })).rejects.toThrow('run the same command again');
    app.issueAfterPolls = 0;
    fake.calls.length = 0;
    const r = await produceUkey({ ...common(), applicationId: app.id, label: serial, ukeySerial: serial, userPin: USER_PIN });
    expect(r.sealIds).toHaveLength(1);
    expect(fake.calls.some((c) => c.startsWith('POST'))).toBe(false);
  });

  it('unlocks: new PIN set, old one refused, SO PIN rotated, application completed; the authorisation works once', async () => {
    const { serial } = await produced();
    const soBefore = fake.soPins.get(serial)!;
    const app = fake.add({ type: 'unlock', status: 'awaiting_production' });
    const r = await unlockUkey({ ...common(), applicationId: app.id, ukeySerial: serial, newPin: '864200' });
    expect(r).toMatchObject({ ukeySerial: serial, soPinRotated: true, resumed: false, status: 'completed' });
    expect(fake.soPins.get(serial)).not.toBe(soBefore);

    const token = UkeyToken.open({ libraryPath: LIBRARY, label: serial });
    try {
      expect(() => token.loginUser(USER_PIN)).toThrow('wrong PIN');
      token.loginUser('864200');
      token.logout();
      // The released SO PIN is spent on the token; the rotated one is what the platform now holds.
      expect(() => token.resetUserPin({ soPin: soBefore, newUserPin: '111111' })).toThrow('SO login: wrong PIN');
    } finally {
      token.close();
    }

    const again = fake.add({ type: 'unlock', status: 'awaiting_production' });
    fake.released.add(`${again.id}:${serial}`); // as if fetched already
    await expect(unlockUkey({ ...common(), applicationId: again.id, ukeySerial: serial, newPin: '999999' })).rejects.toThrow(/409 authorisation_used/);
  });

  it('retries with the next SO PIN when an earlier run stopped after rotating it', async () => {
    const { serial } = await produced();
    const app = fake.add({ type: 'unlock', status: 'awaiting_production' });
    fake.reRelease = true;
    // The first run got as far as C_SetPIN, then died: the token already has the next SO PIN.
    const first = await fetch(`${fake.url}/api/v1/applications/${app.id}/unlock-authorisation`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ ukeySerial: serial }) }).then((x) => x.json() as Promise<{ soPin: string; nextSoPin: string }>);
    const token = UkeyToken.open({ libraryPath: LIBRARY, label: serial });
    token.resetUserPin({ soPin: first.soPin, newUserPin: '222222', nextSoPin: first.nextSoPin });
    token.close();

    const r = await unlockUkey({ ...common(), applicationId: app.id, ukeySerial: serial, newPin: '333333' });
    expect(r).toMatchObject({ resumed: true, status: 'completed' });
    const check = UkeyToken.open({ libraryPath: LIBRARY, label: serial });
    try {
      check.loginUser('333333');
    } finally {
      check.close();
    }
  });

  it('refuses an unlock without an approved unlock application, leaving the token as it was', async () => {
    const { serial } = await produced();
    const notApproved = fake.add({ type: 'unlock', status: 'under_review' });
    await expect(unlockUkey({ ...common(), applicationId: notApproved.id, ukeySerial: serial, newPin: '444444' })).rejects.toThrow(/409 illegal_transition/);
    await expect(unlockUkey({ ...common(), applicationId: notApproved.id, ukeySerial: 'GX-UK-NOTHERE', newPin: '444444' })).rejects.toThrow(/no token with label "GX-UK-NOTHERE"/);
    const token = UkeyToken.open({ libraryPath: LIBRARY, label: serial });
    try {
      token.loginUser(USER_PIN);
    } finally {
      token.close();
    }
  });

  it('needs a credential', async () => {
    await expect(produceUkey({ url: fake.url, modulePath: LIBRARY, applicationId: 'x', ukeySerial: 'GX-UK-1', userPin: USER_PIN })).rejects.toThrow('--token');
  });
});
