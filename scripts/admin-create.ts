import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfig, NATIONAL_SCOPE, NestPinoLogger, requestContext, type EcertConfig } from '@ecert/common';
import { createServiceDataSource, prepareServiceDatabase } from '@ecert/database';
import { CertServiceModule } from '../apps/cert-service/src/cert-service.module';
import { IssueCertificateUseCase } from '../apps/cert-service/src/certificates/usecases/issue-certificate.use-case';
import { GATEWAY_MIGRATIONS } from '../apps/gateway/src/database/gateway-database.provider';
import { StaffService } from '../apps/gateway/src/staff/staff.service';

export interface AdminCreateOptions {
  name: string;
  idNumber: string;
  unitName: string;
  uscc: string;
  regionCode: string;
  algorithm: 'p256' | 'sm2';
  out: string;
  password?: string;
}

/**
 * `npm run admin:create`: the first administrator of a fresh install. Generates a soft-token key
 * (server-side generation is allowed for soft tokens only), has the CA issue a personal login
 * certificate, creates the staff account bound to it, and writes a PKCS#12 file.
 */
export async function adminCreate(config: EcertConfig, o: AdminCreateOptions): Promise<{ staffId: string; serial: string; p12Path: string; password: string }> {
  // The soft token (key, CSR, PKCS#12) is made with the openssl command, as a UKey vendor tool would.
  if (spawnSync('openssl', ['version']).error) throw new Error('admin:create needs the openssl command: apt-get install openssl');
  const work = mkdtempSync(path.join(tmpdir(), 'ecert-admin-'));
  try {
    const key = path.join(work, 'admin.key');
    const csrPath = path.join(work, 'admin.csr');
    const curve = o.algorithm === 'sm2' ? 'SM2' : 'P-256';
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', key], { stdio: 'pipe' });
    const sign = o.algorithm === 'sm2' ? ['-sm3', '-sigopt', 'distid:1234567812345678'] : ['-sha256'];
    execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=ecert administrator', ...sign, '-out', csrPath], { stdio: 'pipe' });

    const logger = createLogger('admin-create', 'warn');
    const app = await NestFactory.createApplicationContext(CertServiceModule.forRoot(config, logger), { logger: new NestPinoLogger(logger) });
    let cert;
    try {
      // An operator at the CA's own console, not a bus request: national scope, stated explicitly.
      const issue = app.get(IssueCertificateUseCase);
      cert = await requestContext.run({ requestId: 'admin-create', actor: 'admin-create', regions: [NATIONAL_SCOPE] }, () =>
        issue.execute({
          profile: 'personal',
          csr: readFileSync(csrPath, 'utf8'),
          unit: { name: o.unitName, uscc: o.uscc, regionCode: o.regionCode, accountNo: 'ADMIN' },
          person: { name: o.name, idNumber: o.idNumber },
          validityDays: 365,
        }),
      );
    } finally {
      await app.close();
    }

    const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'gateway', entities: [], migrations: GATEWAY_MIGRATIONS });
    await prepareServiceDatabase(ds, 'gateway');
    let staffId: string;
    try {
      staffId = (await new StaffService(ds).create({ name: o.name, role: 'admin', regionCode: '000000', certificateSerials: [cert.serial] })).id;
    } finally {
      await ds.destroy();
    }

    const certPath = path.join(work, 'admin.crt');
    const chainPath = path.join(work, 'chain.pem');
    writeFileSync(certPath, cert.certificatePem);
    writeFileSync(chainPath, cert.chainPem.join(''));
    const password = o.password ?? randomBytes(12).toString('base64url');
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', certPath, '-certfile', chainPath, '-name', `ecert admin ${o.name}`, '-passout', `pass:${password}`, '-out', o.out], { stdio: 'pipe' });
    return { staffId, serial: cert.serial, p12Path: o.out, password };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const USAGE = 'usage: npm run admin:create -- --id-number <resident ID> --uscc <USCC of the operating unit> [--name 张三] [--unit-name 单位] [--region 450000] [--algorithm p256|sm2] [--out admin.p12]';

function parseOptions() {
  return parseArgs({
    options: {
      help: { type: 'boolean' },
      name: { type: 'string', default: '平台管理员' },
      'id-number': { type: 'string' },
      'unit-name': { type: 'string', default: '人社数字证书平台' },
      uscc: { type: 'string' },
      region: { type: 'string', default: '450000' },
      algorithm: { type: 'string', default: 'p256' },
      out: { type: 'string', default: 'ecert-admin.p12' },
    },
  }).values;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let values: ReturnType<typeof parseOptions>;
  try {
    values = parseOptions();
  } catch (e) {
    // An unknown option is a usage error, not a stack trace.
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values['id-number'] || !values.uscc) {
    console.error(USAGE);
    process.exit(2);
  }
  adminCreate(loadConfig(process.env, 'cert-service'), {
    name: values.name!,
    idNumber: values['id-number']!,
    unitName: values['unit-name']!,
    uscc: values.uscc!,
    regionCode: values.region!,
    algorithm: values.algorithm === 'sm2' ? 'sm2' : 'p256',
    out: path.resolve(values.out!),
  })
    .then((r) => {
      console.log(`administrator created: staff ${r.staffId}, certificate ${r.serial}\nPKCS#12 soft token: ${r.p12Path}\npassword: ${r.password}  (shown once; keep it safe)`);
    })
    .catch((e) => {
      console.error(`admin:create failed: ${(e as Error).message}`);
      process.exit(1);
    });
}
