import { randomUUID, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { EVENT_SIGNATURE_HEADER, EVENT_SIGNER_HEADER, eventSubject, natsPrefix, Subjects, type BusContextClaims, type RpcReply } from '@ecert/contracts';
import { bodyDigest, BusIdentity, BusRpcClient, connectNats, replyProofData, tokenSignature } from '@ecert/messaging';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeUscc, opensslCsr, TempDir } from '../support/fixtures';
import { api, waitFor } from '../support/http';

/**
 * Issue 8, the bus: a process that reaches NATS but holds no service's key gets nothing done.
 * Requests are sent here straight onto NATS, as an intruder on the bus would.
 */
let p: TestPlatform;
let nc: NatsConnection;
let gateway: BusIdentity;
let sealService: BusIdentity;
const dir = new TempDir();
let csr: string;

beforeAll(async () => {
  p = await startTestPlatform();
  nc = await connectNats(p.config.NATS_URL, 'intruder');
  gateway = BusIdentity.fromConfig(p.config, 'gateway');
  sealService = BusIdentity.fromConfig(p.config, 'seal-service');
  csr = opensslCsr(dir, 'p256').csr;
});

afterAll(async () => {
  await nc?.close();
  await p?.close();
  dir.remove();
});

const unit = () => ({ name: '南宁市某某科技有限公司', uscc: makeUscc(), regionCode: '450100', accountNo: '4501000001' });
const issueCommand = () => ({ profile: 'unit', csr, unit: unit() });
const admin = { rid: 'intruder', ops: ['certificates:issue', 'certificates:manage', 'certificates:read'], reg: ['000000'] };

type Claims = Omit<BusContextClaims, 'v' | 'iss' | 'iat' | 'exp' | 'sub' | 'bdy'>;
/** A token as `who` would sign it for this subject and body. */
const mint = (who: BusIdentity, subject: string, data: unknown, claims: Claims, ttl = 30) => who.issueContext({ ...claims, sub: subject, bdy: bodyDigest(data) }, ttl);

async function send(subject: string, meta: Record<string, unknown>, data: unknown): Promise<RpcReply<any>> {
  const m = await nc.request(subject, JSON.stringify({ pattern: subject, data: { meta, data }, id: randomUUID() }), { timeout: 5000 });
  return (m.json() as { response: RpcReply<any> }).response;
}

async function certificateCount(): Promise<number> {
  return (await p.db.query('SELECT count(*)::int AS n FROM cert.certificate')).rows[0].n;
}

describe('requests on the bus', () => {
  it('the gateway path still works', async () => {
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', issueCommand());
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('refuses an envelope without a signed context, whatever scope it claims', async () => {
    const before = await certificateCount();
    const r = await send(Subjects.cert.issue, { requestId: 'x', clientId: 'c', actor: 'a', regions: ['000000'] }, issueCommand());
    expect(r).toMatchObject({ ok: false, problem: { status: 401, code: 'bus_context_invalid' } });
    expect(await certificateCount()).toBe(before);
  });

  it('refuses a tampered, an expired and a foreign-signed context', async () => {
    const cmd = issueCommand();
    const narrow = mint(gateway, Subjects.cert.issue, cmd, { ...admin, reg: ['450300'] });
    const [payload, sig] = narrow.split('.');
    const widened = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('450300', '000000')).toString('base64url');
    const tampered = await send(Subjects.cert.issue, { requestId: 't', context: `${widened}.${sig}` }, cmd);
    expect(tampered).toMatchObject({ ok: false, problem: { status: 401, detail: expect.stringMatching(/signature/) } });

    const expired = await send(Subjects.cert.issue, { requestId: 'e', context: mint(gateway, Subjects.cert.issue, cmd, admin, -60) }, cmd);
    expect(expired).toMatchObject({ ok: false, problem: { status: 401, detail: expect.stringMatching(/expired/) } });

    const { privateKey } = generateKeyPairSync('ed25519');
    const body = Buffer.from(JSON.stringify({ v: 1, iss: 'gateway', ...admin, sub: Subjects.cert.issue, bdy: bodyDigest(cmd), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 30 }));
    const foreign = `${body.toString('base64url')}.${sign(null, body, privateKey).toString('base64url')}`;
    const forged = await send(Subjects.cert.issue, { requestId: 'f', context: foreign }, cmd);
    expect(forged).toMatchObject({ ok: false, problem: { status: 401, code: 'bus_context_invalid' } });
  });

  it('lets each principal use only its subjects and the caller only its operations', async () => {
    const revokeCmd = { serial: '0a', reason: 'keyCompromise' };
    const asSealService = await send(Subjects.cert.revoke, { requestId: 's', context: mint(sealService, Subjects.cert.revoke, revokeCmd, { ...admin, act: 'seal-service' }) }, revokeCmd);
    expect(asSealService).toMatchObject({ ok: false, problem: { status: 403, code: 'bus_caller_forbidden' } });

    const makerFromGateway = await send(Subjects.cert.sealMakerSign, { requestId: 'm', context: mint(gateway, Subjects.cert.sealMakerSign, { data: '' }, admin) }, { data: '' });
    expect(makerFromGateway).toMatchObject({ ok: false, problem: { status: 403, code: 'bus_caller_forbidden' } });

    const cmd = issueCommand();
    const withoutOperation = await send(Subjects.cert.issue, { requestId: 'o', context: mint(gateway, Subjects.cert.issue, cmd, { ...admin, ops: ['certificates:read'] }) }, cmd);
    expect(withoutOperation).toMatchObject({ ok: false, problem: { status: 403, detail: expect.stringMatching(/certificates:issue/) } });
  });

  it('gives a context without a region scope no scope at all (never national)', async () => {
    const cmd = issueCommand();
    const r = await send(Subjects.cert.issue, { requestId: 'n', context: mint(gateway, Subjects.cert.issue, cmd, { ...admin, reg: [] }) }, cmd);
    expect(r).toMatchObject({ ok: false, problem: { status: 403, code: 'forbidden' } });
    const cmd2 = issueCommand();
    const scoped = await send(Subjects.cert.issue, { requestId: 'y', context: mint(gateway, Subjects.cert.issue, cmd2, { ...admin, reg: ['450100'] }) }, cmd2);
    expect(scoped.ok, JSON.stringify(scoped)).toBe(true);
  });

  it('refuses a genuine token replayed on another subject or with another body', async () => {
    const read = { serial: '0a' };
    const readToken = mint(gateway, Subjects.cert.get, read, admin);
    const onRevoke = await send(Subjects.cert.revoke, { requestId: 'r1', context: readToken }, { ...read, reason: 'keyCompromise' });
    expect(onRevoke).toMatchObject({ ok: false, problem: { status: 401, detail: expect.stringMatching(/made for/) } });
    const otherBody = await send(Subjects.cert.get, { requestId: 'r2', context: readToken }, { serial: '0b' });
    expect(otherBody).toMatchObject({ ok: false, problem: { status: 401, detail: expect.stringMatching(/another request body/) } });
  });

  it('signs every reply, and a caller believes only the service that owns the subject', async () => {
    const r = await send(Subjects.cert.caList, { requestId: 'p', context: mint(gateway, Subjects.cert.caList, {}, admin) }, {});
    expect(r.ok).toBe(true);
    expect(r.proof?.by).toBe('cert-service');
    // An impostor answering on a cert-service subject: unsigned, signed by the wrong service, then genuine.
    const subject = `${natsPrefix}.v1.cert.impostor-test`;
    const client = new BusRpcClient(p.config, gateway, 'bus-test-client');
    const certService = BusIdentity.fromConfig(p.config, 'cert-service');
    const answers: { who?: BusIdentity; core: Record<string, unknown> }[] = [
      { core: { ok: true, result: { forged: true } } },
      { who: sealService, core: { ok: true, result: { forged: true } } },
      // A forged "no" is refused too: a fake 404 could end a renewal as surely as a fake "yes".
      { core: { ok: false, problem: { type: 'x', title: 'not found', status: 404, code: 'certificate_not_found' } } },
      { who: certService, core: { ok: true, result: { forged: true } } },
    ];
    const sub = nc.subscribe(subject, {
      callback: (_e, m) => {
        const req = m.json<{ id: string; data: { meta: { context: string } } }>();
        const { who, core } = answers.shift()!;
        const proof = who ? { by: who.principal, sig: who.signBytes(replyProofData(tokenSignature(req.data.meta.context), subject, core)) } : undefined;
        m.respond(JSON.stringify({ id: req.id, response: { ...core, ...(proof ? { proof } : {}) }, isDisposed: true }));
      },
    });
    try {
      for (const expected of ['unsigned', 'wrong signer', 'unsigned refusal']) {
        const err = await client.call(subject, {}).then(() => undefined, (e: unknown) => e);
        expect(err, expected).toMatchObject({ status: 502, code: 'bus_reply_forged' });
      }
      expect(await client.call(subject, {})).toEqual({ forged: true });
    } finally {
      sub.unsubscribe();
      await client.close();
    }
  });

  it('writes the acting principal into the events it causes', async () => {
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', issueCommand());
    const { rows } = await p.db.query(`SELECT payload FROM cert.outbox WHERE aggregate_id = $1`, [r.body.serial]);
    expect(rows[0].payload.actor).toMatchObject({ clientId: expect.any(String), via: 'gateway' });
  });
});

describe('events on the stream', () => {
  it('drops a forged certificate event and keeps applying genuine ones', async () => {
    const r = await api(p.baseUrl, 'POST', '/api/v1/certificates', issueCommand());
    const js = jetstream(nc);
    const forge = async (signer?: BusIdentity) => {
      const event = { id: randomUUID(), type: 'certificate.frozen', version: 1, occurredAt: new Date().toISOString(), aggregateId: r.body.serial, data: { serial: r.body.serial } };
      const body = new TextEncoder().encode(JSON.stringify(event));
      const h = natsHeaders();
      if (signer) {
        h.set(EVENT_SIGNER_HEADER, signer.principal);
        h.set(EVENT_SIGNATURE_HEADER, signer.signBytes(body));
      }
      await js.publish(eventSubject('certificate.frozen'), body, { msgID: event.id, headers: h });
      return event.id;
    };
    // Unsigned, and signed by a real key that is not the cert-service's.
    const forged = [await forge(), await forge(sealService)];
    // A genuine event after them: once the seal-service has applied it, it has seen the forgeries.
    const frozen = await api(p.baseUrl, 'POST', `/api/v1/certificates/${r.body.serial}/freeze`, {});
    expect(frozen.status).toBe(200);
    const genuine = await waitFor(async () => {
      const { rows } = await p.db.query(`SELECT event_id FROM seal.inbox WHERE aggregate_id = $1`, [r.body.serial]);
      return rows.length >= 2 && rows; // issued + frozen
    });
    const applied = genuine.map((x: { event_id: string }) => x.event_id);
    for (const id of forged) expect(applied).not.toContain(id);
  });
});
