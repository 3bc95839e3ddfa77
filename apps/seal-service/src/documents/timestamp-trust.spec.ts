import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimestampTrust } from './timestamp-trust';

/**
 * ECERT_TSA_TRUST judged on real certificates (openssl): a root anchor, TSA certificates it
 * issued with good and bad extensions, and one under another root.
 */
const dir = mkdtempSync(join(tmpdir(), 'ecert-tsa-trust-'));
const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const der = (pem: string) => new Uint8Array(Buffer.from(readFileSync(join(dir, pem), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));

function root(name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  openssl(['req', '-new', '-x509', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${name}.pem`]);
}

/** A TSA certificate issued by `issuer` with these extension lines. */
function tsa(name: string, ext: string, issuer = 'root'): Uint8Array {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\n${ext}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '10', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  return der(`${name}.pem`);
}

let trust: TimestampTrust;
/** genTime: now, after the certificates were issued (openssl notBefore = the second of issue). */
const now = () => new Date();

beforeAll(() => {
  root('root');
  root('other-root');
  trust = new TimestampTrust({ ECERT_TSA_TRUST: join(dir, 'root.pem') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TimestampTrust (RFC 3161 §2.3)', () => {
  it('trusts a TSA certificate of an anchor with exactly id-kp-timeStamping, critical, at genTime', async () => {
    const good = tsa('good', 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature');
    expect(await trust.judge(good, [], now())).toMatchObject({ trusted: true });
    // Not valid at a genTime before its validity: no proof.
    expect(await trust.judge(good, [], new Date(Date.now() - 5 * 86_400_000))).toMatchObject({ trusted: false });
  });

  it.each([
    ['a wrong EKU', 'extendedKeyUsage=critical,clientAuth', /not for time-stamping only/],
    ['several EKUs', 'extendedKeyUsage=critical,timeStamping,codeSigning', /not for time-stamping only/],
    ['no EKU', 'keyUsage=critical,digitalSignature', /not for time-stamping only .*absent/],
    ['a non-critical EKU', 'extendedKeyUsage=timeStamping', /non-critical/],
    ['a keyUsage without signing', 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,keyEncipherment', /neither digitalSignature nor nonRepudiation/],
  ])('refuses %s', async (_what, ext, problem) => {
    const r = await trust.judge(tsa(`bad-${Math.random().toString(36).slice(2)}`, ext), [], now());
    expect(r.trusted).toBe(false);
    expect(r.detail).toMatch(problem);
  });

  it('refuses a chain that does not reach an anchor', async () => {
    const r = await trust.judge(tsa('elsewhere', 'extendedKeyUsage=critical,timeStamping', 'other-root'), [der('other-root.pem')], now());
    expect(r).toMatchObject({ trusted: false, detail: expect.stringMatching(/is not trusted/) });
  });

  it("refuses a TSA certificate the status lookup says is revoked (ecert's own), and says what it was told otherwise", async () => {
    const good = der('good.pem');
    expect(await trust.judge(good, [], now(), async () => ({ revoked: true, detail: 'its certificate 01 was revoked' }))).toMatchObject({ trusted: false, detail: expect.stringMatching(/revoked/) });
    expect(await trust.judge(good, [], now(), async () => ({ revoked: false, detail: 'its certificate 01 is active' }))).toMatchObject({ trusted: true, detail: expect.stringMatching(/is active/) });
  });

  it('trusts nothing without anchors', async () => {
    expect(await new TimestampTrust({ ECERT_TSA_TRUST: '' }).judge(der('good.pem'), [], now())).toMatchObject({ trusted: false, detail: expect.stringMatching(/ECERT_TSA_TRUST is empty/) });
  });
});
