import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAuditKeys, loadConfig, parseAuditPublicKey, verifyAuditChain, type AuditVerifyResult, type EcertConfig, type SignedAuditCheckpoint } from '@ecert/common';
import { createServiceDataSource } from '@ecert/database';
import { readAuditChain } from '../apps/gateway/src/audit/audit-chain-reader';
import { readStoredCheckpoints } from '../apps/gateway/src/audit/audit-checkpointer.service';
import { auditChainName, readAuditCheckpointFiles } from '../apps/gateway/src/audit/audit-checkpoint-files';

export interface AuditVerifyOptions {
  /** Directories holding checkpoint copies (default: ECERT_AUDIT_CHECKPOINT_DIR). */
  checkpointDirs?: string[];
  /** The checkpoint public key as an auditor keeps it (default: the configured key's). */
  publicKeyPem?: string;
  /** An auditor without ECERT_AUDIT_KEY: check links and checkpoints, not the MACs. */
  withoutMacKey?: boolean;
}

/**
 * Walks the whole audit chain: every record's MAC and link, then every signed checkpoint from the
 * external directories and from the database (signature, hash at its seq, nothing beyond the end).
 */
export async function auditVerify(config: EcertConfig, opts: AuditVerifyOptions = {}): Promise<AuditVerifyResult & { chain: string }> {
  const keys = loadAuditKeys(config.ECERT_AUDIT_KEY, config.ECERT_AUDIT_SIGNING_KEY);
  const chain = auditChainName(config.DATABASE_URL);
  const ds = createServiceDataSource({ url: config.DATABASE_URL, schema: 'gateway', entities: [], migrations: [] });
  await ds.initialize();
  try {
    const checkpoints: SignedAuditCheckpoint[] = [];
    for (const dir of opts.checkpointDirs ?? [config.ECERT_AUDIT_CHECKPOINT_DIR]) checkpoints.push(...(await readAuditCheckpointFiles(dir, chain)));
    // The database's copies add nothing an attacker could forge (they are signed), and catch what a lost file would miss.
    checkpoints.push(...(await readStoredCheckpoints(ds)));
    const result = await verifyAuditChain(readAuditChain(ds), {
      chain,
      macKey: opts.withoutMacKey ? undefined : keys.macKey,
      publicKey: opts.publicKeyPem ? parseAuditPublicKey(opts.publicKeyPem) : keys.publicKey,
      checkpoints,
      // From configuration, never from the records: a chain rewritten as unkeyed records is refused.
      legacyUntil: config.ECERT_AUDIT_LEGACY_UNTIL,
    });
    return { ...result, chain };
  } finally {
    await ds.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      checkpoints: { type: 'string', multiple: true },
      'public-key': { type: 'string' },
      'without-mac-key': { type: 'boolean', default: false },
    },
  });
  auditVerify(loadConfig(process.env, 'auditor'), {
    checkpointDirs: values.checkpoints,
    publicKeyPem: values['public-key'] ? readFileSync(values['public-key'], 'utf8') : undefined,
    withoutMacKey: values['without-mac-key'],
  })
    .then((r) => {
      const cps = `${r.checkpoints.verified} signed checkpoints${r.checkpoints.latest ? ` (newest at record ${r.checkpoints.latest})` : ''}${r.checkpoints.foreign ? `, ${r.checkpoints.foreign} of other chains ignored` : ''}`;
      if (r.break) {
        console.error(`audit:verify: BROKEN at record ${r.break.seq} (${r.break.reason}): ${r.break.detail}; ${r.checked} records before it are intact; ${cps}; ECERT_AUDIT_LEGACY_UNTIL=${r.legacyUntil}`);
        process.exit(2);
      }
      const legacy = r.legacy ? `, ${r.legacy} of them unkeyed (written before the chain was keyed)` : '';
      const boundary = r.legacyUntil ? `unkeyed records accepted up to record ${r.legacyUntil}` : 'no unkeyed record accepted';
      const tail = r.unanchored ? `; the last ${r.unanchored} records are not covered by a checkpoint yet` : '';
      console.log(`audit:verify: OK, chain ${r.chain}: ${r.checked} records${legacy}, ${cps}${tail} (${boundary}: ECERT_AUDIT_LEGACY_UNTIL=${r.legacyUntil})`);
    })
    .catch((e) => {
      console.error(`audit:verify failed: ${(e as Error).message}`);
      process.exit(1);
    });
}
