import { pathToFileURL } from 'node:url';
import { loadConfig, verifyAuditChain, type EcertConfig } from '@ecert/common';
import { createServiceDataSource } from '@ecert/database';
import { readAuditChain } from '../apps/gateway/src/audit/audit-trail.service';

/** Walks the whole audit chain; returns the first break, if any. */
export async function auditVerify(config: EcertConfig) {
  const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'gateway', entities: [], migrations: [] });
  await ds.initialize();
  try {
    return await verifyAuditChain(readAuditChain(ds));
  } finally {
    await ds.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  auditVerify(loadConfig())
    .then((r) => {
      if (r.break) {
        console.error(`audit:verify: BROKEN at record ${r.break.seq} (${r.break.reason}): ${r.break.detail}; ${r.checked} records before it are intact`);
        process.exit(2);
      }
      console.log(`audit:verify: OK, ${r.checked} records, chain intact`);
    })
    .catch((e) => {
      console.error(`audit:verify failed: ${(e as Error).message}`);
      process.exit(1);
    });
}
