/**
 * Subscriber certificates carry the purposes they are for (clientAuth for UKey login,
 * documentSigning for signing with their seals), and the certificate login accepts only
 * certificates meant for client authentication.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ExtendedKeyUsage, Extension, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@ecert/messaging';
import {
  PROFILE_OID,
  buildCertificate,
  certificateProfiles,
  encodeName,
  encodePem,
  extendedKeyUsageOf,
  formatName,
  issuerFromCertificate,
  newSerialNumber,
  parseCsr,
} from '@ecert/pki';
import { startTestPlatform, type TestPlatform } from '../support/test-platform';
import { makeResidentId, makeUscc, opensslCsr, opensslResult, TempDir } from '../support/fixtures';
import { api } from '../support/http';
import { CaRegistry } from '../../apps/cert-service/src/ca/ca-registry.service';
import { CertificateEntity } from '../../apps/cert-service/src/certificates/certificate.entity';
import { AuthenticateCertificateUseCase } from '../../apps/cert-service/src/certificates/usecases/authenticate-certificate.use-case';

let p: TestPlatform;
const dir = new TempDir();

beforeAll(async () => {
  p = await startTestPlatform({ services: ['cert', 'gateway'] });
});
afterAll(async () => {
  await p?.close();
  dir.remove();
});

const none = { 'x-api-key': '' };
const pemDer = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

/**
 * A unit certificate signed by ecert's ECDSA issuing CA and on record like any other, but with
 * the EKU given (undefined: none at all, as before subscriber profiles had one).
 */
async function onRecord(purposes: string[] | undefined): Promise<{ pem: string; serial: string; keyPath: string }> {
  const registry = p.services.cert!.get(CaRegistry);
  const ca = registry.get('ecdsa-issuing');
  const { csr, keyPath } = opensslCsr(dir, 'p256');
  const spki = parseCsr(csr).subjectSpki;
  const links = { crlUrl: 'http://127.0.0.1/crl', ocspUrl: 'http://127.0.0.1/ocsp', caIssuersUrl: 'http://127.0.0.1/ca' };
  const uscc = makeUscc();
  const base = certificateProfiles.unit({ subjectSpki: spki, uscc, ...links }).filter((e) => e.extnID !== id_ce_extKeyUsage);
  const extensions = purposes
    ? [...base, new Extension({ extnID: id_ce_extKeyUsage, critical: false, extnValue: new OctetString(AsnConvert.serialize(new ExtendedKeyUsage(purposes))) })]
    : base;
  const subject = encodeName({ C: 'CN', ST: '广西壮族自治区', L: '南宁市', O: '用途测试单位', CN: '用途测试单位' });
  const serial = newSerialNumber();
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 30 * 86_400_000);
  const der = await buildCertificate({
    issuer: issuerFromCertificate(new Uint8Array(ca.certificate)),
    signer: await registry.signer(ca.id),
    subjectName: subject,
    subjectSpki: spki,
    serialNumber: serial,
    notBefore,
    notAfter,
    extensions,
  });
  const hex = Buffer.from(serial).toString('hex');
  const ds = p.services.cert!.get<DataSource>(DATA_SOURCE);
  await ds.getRepository(CertificateEntity).insert({
    serial: hex, caId: ca.id, profile: 'unit', keyAlgorithm: 'ECDSA', status: 'active', subject: formatName(subject), uscc, accountNo: 'EKU1',
    regionCode: '450100', unitName: '用途测试单位', notBefore, notAfter, der: Buffer.from(der), statusChangedAt: new Date(),
  });
  return { pem: encodePem('CERTIFICATE', der), serial: hex, keyPath };
}

describe('subscriber certificate purposes', () => {
  it('unit and personal certificates carry clientAuth and documentSigning', async () => {
    const unitCsr = opensslCsr(dir, 'sm2');
    const unit = await api(p.baseUrl, 'POST', '/api/v1/certificates', { profile: 'unit', csr: unitCsr.csr, unit: { name: '用途单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'P1' } });
    expect(unit.status, JSON.stringify(unit.body)).toBe(201);
    const personalCsr = opensslCsr(dir, 'p256');
    const personal = await api(p.baseUrl, 'POST', '/api/v1/certificates', {
      profile: 'personal',
      csr: personalCsr.csr,
      unit: { name: '用途单位', uscc: makeUscc(), regionCode: '450100', accountNo: 'P1' },
      person: { name: '李四', idNumber: makeResidentId() },
    });
    expect(personal.status, JSON.stringify(personal.body)).toBe(201);
    for (const c of [unit.body, personal.body]) {
      expect(extendedKeyUsageOf(pemDer(c.certificatePem))).toEqual([PROFILE_OID.kpClientAuth, PROFILE_OID.kpDocumentSigning]);
      const text = opensslResult(['x509', '-noout', '-text', '-in', dir.file(`eku-${c.serial}.pem`, c.certificatePem)]).out;
      expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication, (Document Signing|1\.3\.6\.1\.5\.5\.7\.3\.36)/);
    }
  });
});

describe('certificate login', () => {
  it('refuses a certificate whose extendedKeyUsage lacks clientAuth (problem+json, field certificate)', async () => {
    const signingOnly = await onRecord([PROFILE_OID.kpDocumentSigning]);
    const ch = await api(p.baseUrl, 'POST', '/api/v1/auth/challenge', undefined, none);
    expect(ch.status).toBe(201);
    // Signed by the certificate's own key, as its UKey would: the refusal is for its purpose alone.
    const challenge = dir.file(`challenge-${signingOnly.serial}.bin`, Buffer.from(ch.body.challenge, 'base64'));
    const sig = dir.file(`challenge-${signingOnly.serial}.sig`);
    opensslResult(['dgst', '-sha256', '-sign', signingOnly.keyPath, '-out', sig, challenge]);
    const signature = readFileSync(sig).toString('base64');
    const r = await api(p.baseUrl, 'POST', '/api/v1/auth/login', { challengeId: ch.body.challengeId, certificate: signingOnly.pem, signature }, none);
    expect(r.status, JSON.stringify(r.body)).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ code: 'unauthorized', field: 'certificate' });
    expect(r.body.detail).toMatch(/not for client authentication.*lacks clientAuth \(1\.3\.6\.1\.5\.5\.7\.3\.2\)/);
    const { rows } = await p.db.query('SELECT last_activity_at FROM cert.certificate WHERE serial = $1', [signingOnly.serial]);
    expect(rows[0].last_activity_at).toBeNull(); // a refused check is no activity
  });

  it('accepts clientAuth, anyExtendedKeyUsage, and certificates from before subscriber EKUs (none at all)', async () => {
    const check = p.services.cert!.get(AuthenticateCertificateUseCase);
    for (const purposes of [[PROFILE_OID.kpClientAuth], [PROFILE_OID.kpAny], undefined]) {
      const c = await onRecord(purposes);
      await expect(check.execute({ certificate: c.pem }), String(purposes)).resolves.toMatchObject({ serial: c.serial, profile: 'unit' });
    }
    // an OCSP-signing-only purpose is refused like any other without clientAuth
    const ocspOnly = await onRecord([PROFILE_OID.kpOcspSigning]);
    await expect(check.execute({ certificate: ocspOnly.pem })).rejects.toMatchObject({ status: 401, field: 'certificate' });
  });
});
