import { readFileSync } from 'node:fs';
import { makeResidentId, makeUscc, opensslCsr, opensslResult, type TempDir } from './fixtures';
import { api } from './http';

export type StaffHeaders = Record<string, string> & { staffId: string };

/** The challenge signed with the staff member's key, as the login page's certificate helper does. */
function signChallenge(dir: TempDir, keyPath: string, challenge: string): string {
  const data = dir.file(`challenge-${Math.random()}.bin`, Buffer.from(challenge, 'base64'));
  const sig = dir.file(`challenge-${Math.random()}.sig`);
  opensslResult(['dgst', '-sha256', '-sign', keyPath, '-out', sig, data]);
  return readFileSync(sig).toString('base64');
}

/**
 * A staff member of a role and region with a personal certificate on a soft token, logged in by
 * it (the real challenge handshake); the headers of their calls (bearer token, no API key).
 * Registered by the harness client (api()'s default credentials).
 */
export async function loggedInStaff(base: string, dir: TempDir, role: string, regionCode: string, name = role): Promise<StaffHeaders> {
  const k = opensslCsr(dir, 'p256');
  const region = regionCode === '000000' ? '450100' : regionCode;
  const cert = await api(base, 'POST', '/api/v1/certificates', { profile: 'personal', csr: k.csr, unit: { name: '人社局', uscc: makeUscc(region), regionCode: region, accountNo: 'STAFF' }, person: { name, idNumber: makeResidentId() } });
  if (cert.status !== 201) throw new Error(`staff certificate: ${cert.status} ${JSON.stringify(cert.body)}`);
  const s = await api(base, 'POST', '/api/v1/staff', { name, role, regionCode, certificateSerials: [cert.body.serial] });
  if (s.status !== 201) throw new Error(`staff: ${s.status} ${JSON.stringify(s.body)}`);
  const ch = await api(base, 'POST', '/api/v1/auth/challenge', undefined, { 'x-api-key': '' });
  const login = await api(base, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: cert.body.certificatePem, signature: signChallenge(dir, k.keyPath, ch.body.challenge) }, { 'x-api-key': '' });
  if (login.status !== 200) throw new Error(`staff login: ${login.status} ${JSON.stringify(login.body)}`);
  return { authorization: `Bearer ${login.body.token}`, 'x-api-key': '', staffId: s.body.id };
}
