import { api } from '../../support/http';
import { issueBody, sealBody } from './load';

/**
 * Unit certificates with seals bound to them, made through the API as a client would: for each
 * CSR a certificate, its unit's official seal and a department seal. Made before the load (a few
 * at a time, not to crowd the two cores); returns the serials.
 */
export async function issueWithSeals(base: string, csrs: string[], concurrency = 4): Promise<string[]> {
  const serials: string[] = [];
  const one = async (csr: string) => {
    const body = issueBody(csr);
    const cert = await api<{ serial: string }>(base, 'POST', '/api/v1/certificates', body);
    if (cert.status !== 201) throw new Error(`issuance for the seals: ${cert.status} ${JSON.stringify(cert.body)}`);
    for (const seal of [{ ...sealBody(cert.body.serial, body.unit.name), kind: 'official' }, sealBody(cert.body.serial)]) {
      const r = await api(base, 'POST', '/api/v1/seals', seal);
      if (r.status !== 201) throw new Error(`seal for ${cert.body.serial}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    serials.push(cert.body.serial);
  };
  for (let i = 0; i < csrs.length; i += concurrency) await Promise.all(csrs.slice(i, i + concurrency).map(one));
  return serials;
}
