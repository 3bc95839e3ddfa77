import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { auditCheckpointFileName, parseAuditCheckpoint, type SignedAuditCheckpoint } from '@ecert/common';

/**
 * Which chain a database holds: its name. It comes from configuration, not from the data, so a
 * rewritten chain cannot pretend to be another one and dodge its checkpoints.
 */
export function auditChainName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'postgres';
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** `<dir>/<chain>/`: one directory may collect the checkpoints of several deployments. */
export function auditCheckpointDirectory(dir: string, chain: string): string {
  return join(resolve(dir), chain);
}

/**
 * Writes one checkpoint file atomically (temporary file, then rename): a reader never sees half of
 * one. A file already there for this seq is never replaced (after a cut tail the chain grows again
 * over checkpointed seqs, and the old checkpoint is the evidence): the new one gets a suffix.
 */
export async function writeAuditCheckpointFile(dir: string, signed: SignedAuditCheckpoint): Promise<string> {
  const target = auditCheckpointDirectory(dir, signed.checkpoint.chain);
  await mkdir(target, { recursive: true });
  const text = `${JSON.stringify(signed, null, 2)}\n`;
  const name = auditCheckpointFileName(signed.checkpoint.seq);
  let file = join(target, name);
  for (let n = 1; ; n++) {
    const existing = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (existing === undefined) break;
    if (existing === text) return file;
    file = join(target, name.replace(/\.json$/, `-${n}.json`));
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
  return file;
}

/**
 * Every checkpoint file of `chain` in `dir`. A file that is not a checkpoint is returned as an
 * unsigned one, so verification reports it instead of silently skipping what may be tampering.
 */
export async function readAuditCheckpointFiles(dir: string, chain: string): Promise<SignedAuditCheckpoint[]> {
  const target = auditCheckpointDirectory(dir, chain);
  let names: string[];
  try {
    names = await readdir(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SignedAuditCheckpoint[] = [];
  for (const name of names.filter((n) => /^checkpoint-\d+(-\d+)?\.json$/.test(n)).sort()) {
    const parsed = parseAuditCheckpoint(await readFile(join(target, name), 'utf8'));
    const seq = Number(/\d+/.exec(name)![0]);
    out.push(parsed ?? { checkpoint: { v: 1, chain, seq, hash: '', at: '', macKeyId: '', keyId: '' }, algorithm: 'Ed25519', signature: '' });
  }
  return out;
}
