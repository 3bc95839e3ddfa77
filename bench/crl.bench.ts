import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createLogger, type EcertConfig } from '@ecert/common';
import { buildCrl, InMemoryKeyBlobRepository, issuerFromCertificate, SoftKeyStore, type CrlEntry, type KeyAlgorithm, type ReasonCode } from '@ecert/pki';
import { CertServiceModule } from '../apps/cert-service/src/cert-service.module';
import { CrlGenerator } from '../apps/cert-service/src/revocation/crl-generator.service';
import { CaRegistry } from '../apps/cert-service/src/ca/ca-registry.service';
import { CrlPublisher } from '../apps/cert-service/src/revocation/crl-publisher.service';
import type { CrlBuildPhases } from '../apps/cert-service/src/revocation/crl-generator.service';
import { withMemoryPeaks } from './memory';
import { derToPem } from './openssl';
import { run } from './procs';
import { waitForQuiet } from './cpu';

/**
 * A complete CRL with N revoked entries (default 100,000) per issuing CA:
 * 1. the cert-service module is booted in this process (Nest application context, no NATS
 *    listener) against the bench database (migrations, CAs; its start-up CRLs are still empty);
 * 2. N revoked rows per CA go into the bench database's cert.certificate with one set-based
 *    INSERT ... SELECT generate_series (dummy 1-byte der; every NOT NULL / CHECK satisfied);
 * 3. the real CrlGenerator.generate(caId, false) is timed, phase by phase (GeneratedCrl.phases:
 *    builder turn, snapshot + reading the rows, rows to entries, TBS encoding, signing with the CA
 *    key from the encrypted key store, INSERT of the CRL row), with the peak RSS of this process and
 *    of PostgreSQL while it runs; then the publication of the last one to Redis (CrlPublisher);
 * 4. for comparison, the old SELECT of every row alone (pg row objects and Dates, as TypeORM's
 *    query gave them), and the pure buildCrl with N synthetic CrlEntry objects and a throwaway key.
 * The run with the largest time (the first, cold one: key decryption, JIT) is what is judged.
 * Alone: `npm run bench:crl` (bench/crl-run.ts, BENCH_CRL_ENTRIES, default 1,000,000).
 */
export interface CrlCaResult {
  caId: string;
  entries: number;
  crlBytes: number;
  /** Every timed CrlGenerator.generate call, in order (the first is cold). */
  generateMs: number[];
  selectMs: number[];
  pureBuildMs: number[];
  /** Phases of each generate call (same order as generateMs). */
  phases?: CrlBuildPhases[];
  /** MB: peak RSS of this process / of the largest PostgreSQL backend during each generate call. */
  peakRssMb?: number[];
  postgresPeakRssMb?: number[];
  /** CPU time (user + system, ms) of this process during each generate call: steadier than wall time on a shared machine. */
  cpuMs?: number[];
  /** MB: this process's RSS just before each generate call (after a full GC where --expose-gc is on). */
  rssBeforeMb?: number[];
  /** Publishing the last CRL to Redis (CrlPublisher.publish). */
  publishMs?: number;
  verified: string;
}

export interface CrlPhase {
  entriesPerCa: number;
  insertMs: number;
  cas: CrlCaResult[];
}

const REASONS: ReasonCode[] = ['keyCompromise', 'cessationOfOperation', 'superseded', 'affiliationChanged', 'unspecified', 'privilegeWithdrawn'];

const FULL_SELECT = `SELECT serial, status, revoked_at, revocation_reason, frozen_at FROM "cert"."certificate"
  WHERE ca_id = $1 AND status IN ('revoked','frozen') AND not_after > $2`;

async function insertRevoked(db: pg.Pool | pg.PoolClient, caId: string, keyAlgorithm: string, n: number): Promise<void> {
  await db.query(
    `INSERT INTO "cert"."certificate"
       (serial, ca_id, profile, key_algorithm, status, subject, uscc, account_no, region_code, unit_name,
        not_before, not_after, der, revoked_at, revocation_reason, status_changed_at, version)
     SELECT '4' || substr(md5($1 || ':' || g::text), 2), $1, 'unit', $2, 'revoked',
            'C=CN,O=bench revoked ' || g, '91450100MA5KBENCH0', 'crl-' || g, '450100', '广西基准测试科技有限公司',
            now() - interval '30 days', now() + interval '335 days', '\\x00'::bytea,
            now() - (g % 2592000) * interval '1 second', ($4::text[])[1 + g % cardinality($4::text[])],
            now() - (g % 2592000) * interval '1 second', 1
       FROM generate_series(1, $3::int) AS g`,
    [caId, keyAlgorithm, n, REASONS],
  );
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
}
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

/** Splits a DER CRL into TBS, signature (BIT STRING content without the unused-bits byte). */
function splitSigned(der: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
  const tlv = (at: number) => {
    let len = der[at + 1]!;
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
      hdr += n;
    }
    return { start: at, contentStart: at + hdr, end: at + hdr + len };
  };
  const outer = tlv(0);
  const tbs = tlv(outer.contentStart);
  const alg = tlv(tbs.end);
  const bits = tlv(alg.end);
  return { tbs: der.subarray(tbs.start, tbs.end), signature: der.subarray(bits.contentStart + 1, bits.end) };
}

async function verifyCrl(dir: string, caId: string, der: Uint8Array, caCertDer: Uint8Array, sm2: boolean): Promise<string> {
  const crlPath = path.join(dir, `${caId}.crl`);
  const caPath = path.join(dir, `${caId}.pem`);
  writeFileSync(crlPath, der);
  writeFileSync(caPath, derToPem(caCertDer));
  if (!sm2) {
    // A million entries print as ~100 MB of text: minutes on a busy 2-core machine.
    const r = await run('openssl', ['crl', '-inform', 'DER', '-in', crlPath, '-CAfile', caPath, '-noout'], { timeoutMs: 300_000 });
    const count = await run('sh', ['-c', `openssl crl -inform DER -in '${crlPath}' -noout -text | grep -c 'Serial Number:'`], { timeoutMs: 900_000 });
    return `${/verify OK/.test(r.stdout + r.stderr) ? 'openssl crl: verify OK' : `openssl crl: NOT verified (${(r.stdout + r.stderr).trim()})`}; openssl lists ${count.stdout.trim()} entries`;
  }
  // openssl crl ignores the SM2 signer ID: check the signature over the TBS with openssl dgst (bench-notes).
  const { tbs, signature } = splitSigned(der);
  writeFileSync(path.join(dir, `${caId}.tbs`), tbs);
  writeFileSync(path.join(dir, `${caId}.sig`), signature);
  const pub = await run('openssl', ['x509', '-in', caPath, '-pubkey', '-noout'], { timeoutMs: 10_000 });
  writeFileSync(path.join(dir, `${caId}.pub.pem`), pub.stdout);
  const r = await run('openssl', ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', path.join(dir, `${caId}.pub.pem`), '-signature', path.join(dir, `${caId}.sig`), path.join(dir, `${caId}.tbs`)], { timeoutMs: 60_000 });
  return /Verified OK/.test(r.stdout + r.stderr) ? 'openssl dgst -sm3 (distid 1234567812345678): Verified OK' : `openssl dgst: NOT verified (${(r.stdout + r.stderr).trim()})`;
}

export async function runCrlBench(o: { quietWaitS: number; config: EcertConfig; db: pg.Pool; dir: string; entries: number; repeats: number; log: (s: string) => void }): Promise<CrlPhase> {
  const targets = [
    { caId: 'ecdsa-issuing', keyAlgorithm: 'ECDSA', storeAlgorithm: 'EC-P256' as KeyAlgorithm },
    { caId: 'sm2-issuing', keyAlgorithm: 'SM2', storeAlgorithm: 'SM2' as KeyAlgorithm },
  ];
  o.log('  booting the cert-service module in-process (Nest application context) ...');
  const logger = createLogger('cert-service-bench', 'warn');
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(CertServiceModule.forRoot(o.config, logger), { logger: false, abortOnError: false });
    o.log(`  inserting ${o.entries.toLocaleString('en')} revoked rows for each of ${targets.map((t) => t.caId).join(', ')} ...`);
    const [, insertMs] = await timed(async () => {
      // A bench shortcut (as in the 第二十条 bench): secondary indexes dropped for the set-based
      // INSERT and rebuilt after it, so a million rows per CA go in in seconds, not minutes.
      const client = await o.db.connect();
      try {
        await client.query('SET statement_timeout = 0');
        const defs: { indexname: string; indexdef: string }[] = (
          await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'cert' AND tablename = 'certificate' AND indexname <> 'certificate_pkey'`)
        ).rows;
        for (const d of defs) await client.query(`DROP INDEX "cert"."${d.indexname}"`);
        for (const t of targets) await insertRevoked(client, t.caId, t.keyAlgorithm, o.entries);
        await client.query("SET maintenance_work_mem = '256MB'");
        for (const d of defs) await client.query(d.indexdef);
        await client.query('VACUUM ANALYZE "cert"."certificate"');
      } finally {
        client.release();
      }
    });
    const generator = app.get(CrlGenerator);
    const publisher = app.get(CrlPublisher);
    const registry = app.get(CaRegistry);

    // Throwaway keys for the pure builder, in an in-memory soft store (cheap scrypt: only the signer matters).
    const store = new SoftKeyStore({ passphrase: randomBytes(16), repository: new InMemoryKeyBlobRepository(), scrypt: { N: 2 ** 10, r: 8, p: 1 } });

    const cas: CrlCaResult[] = [];
    for (const t of targets) {
      const ca = registry.get(t.caId);
      const generateMs: number[] = [];
      const phases: CrlBuildPhases[] = [];
      const peakRssMb: number[] = [];
      const postgresPeakRssMb: number[] = [];
      const cpuMs: number[] = [];
      const rssBeforeMb: number[] = [];
      let last: Awaited<ReturnType<CrlGenerator['generate']>> | undefined;
      for (let i = 0; i < o.repeats; i++) {
        last = undefined; // the previous CRL is garbage before the next build, as in the service
        await waitForQuiet(o.quietWaitS);
        o.log(`  CrlGenerator.generate('${t.caId}', false) #${i + 1} ...`);
        // The comparisons' million-object garbage of the CA before must not count as this build's.
        (globalThis as { gc?: () => void }).gc?.();
        rssBeforeMb.push(Math.round(process.memoryUsage().rss / 104_857.6) / 10);
        const cpu0 = process.cpuUsage();
        const [[crl, ms], mem] = await withMemoryPeaks(() => timed(() => generator.generate(t.caId, false)), 50);
        const cpu = process.cpuUsage(cpu0);
        cpuMs.push((cpu.user + cpu.system) / 1000);
        generateMs.push(ms);
        phases.push(crl.phases);
        peakRssMb.push(mem.peakRssMb['bench (node, cert-service in-process)'] ?? 0);
        postgresPeakRssMb.push(mem.peakRssMb.postgres ?? 0);
        o.log(`    ${(ms / 1000).toFixed(2)} s (${Object.entries(crl.phases).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')} ms), peak RSS ${peakRssMb.at(-1)} MB (${rssBeforeMb.at(-1)} MB before), node CPU ${Math.round(cpuMs.at(-1)!)} ms, load ${os.loadavg()[0]!.toFixed(1)}`);
        last = crl;
      }
      const [, publishMs] = await timed(() => publisher.publish(t.caId, false, last!.der, last!.nextUpdate, last!.number));
      // The comparisons are slow at a million rows (the old path): once there, on a shared machine.
      const comparisons = o.entries > 200_000 ? 1 : o.repeats;
      const selectMs: number[] = [];
      for (let i = 0; i < comparisons; i++) {
        // The bench's own pool (no statement or client read timeout: at a million rows on a busy
        // machine this is over the service's 15 s), default type parsing: row objects and Dates.
        const [, ms] = await timed(() => o.db.query(FULL_SELECT, [t.caId, new Date()]));
        selectMs.push(ms);
      }

      await store.generate(`bench-${t.caId}`, t.storeAlgorithm);
      const signer = await store.signer(`bench-${t.caId}`);
      const issuerName = issuerFromCertificate(new Uint8Array(ca.certificate)).name as Uint8Array;
      const now = Date.now();
      const entries: CrlEntry[] = Array.from({ length: o.entries }, (_, i) => ({
        serial: '4' + randomBytes(16).toString('hex').slice(1),
        revokedAt: new Date(Math.floor((now - (i % 2_592_000) * 1000) / 1000) * 1000),
        reason: REASONS[i % REASONS.length],
      }));
      const pureBuildMs: number[] = [];
      for (let i = 0; i < comparisons; i++) {
        const [, ms] = await timed(() =>
          buildCrl({ issuerName, issuerSpki: signer.spki, signer, crlNumber: BigInt(i + 1), thisUpdate: new Date(now), nextUpdate: new Date(now + 86_400_000), entries }),
        );
        pureBuildMs.push(ms);
      }
      const verified = await verifyCrl(o.dir, t.caId, last!.der, new Uint8Array(ca.certificate), t.storeAlgorithm === 'SM2');
      cas.push({ caId: t.caId, entries: last!.entryCount, crlBytes: last!.der.length, generateMs, selectMs, pureBuildMs, phases, peakRssMb, postgresPeakRssMb, cpuMs, rssBeforeMb, publishMs, verified });
    }
    await store.close();
    return { entriesPerCa: o.entries, insertMs, cas };
  } finally {
    await app?.close().catch(() => undefined);
  }
}

/** The target for a complete CRL of `entries` entries: issue 13 asks 1,000,000 in < 10 s; up to 100,000 < 5 s. */
export function crlTargetMs(entries: number): number {
  return entries > 100_000 ? 10_000 : 5_000;
}

/** Markdown lines for the CRL phase (shared by `npm run bench` and `npm run bench:crl`). */
export function formatCrl(c: CrlPhase): string[] {
  const s2 = (ms: number) => (ms / 1000).toFixed(2);
  const n0 = (n: number) => n.toLocaleString('en');
  const L: string[] = [];
  L.push(`### Full CRL with ${n0(c.entriesPerCa)} revoked entries`);
  L.push('');
  L.push('| CA | CrlGenerator.generate (cold / warm median) | entries/s (cold) | peak RSS (bench / PG backend) | publish to Redis | old SELECT alone (median) | pure buildCrl of CrlEntry[] + sign (median) | CRL size | entries | check |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const ca of c.cas) {
    const warm = ca.generateMs.slice(1);
    const before = ca.rssBeforeMb?.length ? ` (${Math.min(...ca.rssBeforeMb).toFixed(0)} before)` : '';
    const rss = ca.peakRssMb?.length ? `${Math.max(...ca.peakRssMb).toFixed(0)}${before} / ${Math.max(...(ca.postgresPeakRssMb ?? [0])).toFixed(0)} MB` : '–';
    L.push(
      `| ${ca.caId} | ${s2(ca.generateMs[0]!)} s / ${warm.length ? `${s2(median(warm))} s` : '–'} | ${n0(Math.round(ca.entries / (ca.generateMs[0]! / 1000)))} | ${rss} | ${ca.publishMs === undefined ? '–' : `${Math.round(ca.publishMs)} ms`} | ${s2(median(ca.selectMs))} s | ${s2(median(ca.pureBuildMs))} s | ${(ca.crlBytes / 1e6).toFixed(2)} MB | ${n0(ca.entries)} | ${ca.verified} |`,
    );
  }
  L.push('');
  if (c.cas.some((ca) => ca.phases?.length)) {
    L.push('Phases of each CrlGenerator.generate (ms): builder turn / snapshot + reading rows / rows → entries / TBS / sign / INSERT');
    L.push('');
    L.push('| CA | run | lock | select | entries | tbs | sign | insert | total | node CPU |');
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const ca of c.cas) {
      (ca.phases ?? []).forEach((p, i) => {
        L.push(`| ${ca.caId} | ${i + 1} | ${[p.lockMs, p.selectMs, p.entriesMs, p.tbsMs, p.signMs, p.insertMs, ca.generateMs[i]!].map((x) => Math.round(x)).join(' | ')} | ${ca.cpuMs?.[i] === undefined ? '–' : Math.round(ca.cpuMs[i]!)} |`);
      });
    }
    L.push('');
  }
  L.push(`Rows inserted with one INSERT … SELECT generate_series per CA (${s2(c.insertMs)} s for both, incl. VACUUM ANALYZE). CrlGenerator runs in this process against the bench database (cert-service module booted as a Nest application context), with the platform stopped.`);
  L.push('');
  return L;
}
