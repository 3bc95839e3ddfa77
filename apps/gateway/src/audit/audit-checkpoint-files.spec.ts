import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAuditKeys, signAuditCheckpoint } from '@ecert/common';
import { auditCheckpointDirectory, readAuditCheckpointFiles, writeAuditCheckpointFile } from './audit-checkpoint-files';

const keys = loadAuditKeys('unit-test audit secret');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const checkpoint = (seq: number, hash: string) =>
  signAuditCheckpoint({ v: 1, chain: 'ecert_files', seq, hash, at: new Date().toISOString(), macKeyId: keys.macKeyId, keyId: keys.publicKeyId }, keys.signingKey);

describe('audit checkpoint files', () => {
  it('never replaces a checkpoint file: another checkpoint of the same seq is kept beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecert-cp-'));
    dirs.push(dir);
    const first = checkpoint(7, 'a'.repeat(64));
    // After a cut tail the chain grows again over seq 7: the old checkpoint is the evidence.
    const second = checkpoint(7, 'b'.repeat(64));
    await writeAuditCheckpointFile(dir, first);
    await writeAuditCheckpointFile(dir, first); // the same one again: nothing new
    await writeAuditCheckpointFile(dir, second);
    expect(readdirSync(auditCheckpointDirectory(dir, 'ecert_files')).sort()).toEqual(['checkpoint-000000000000007-1.json', 'checkpoint-000000000000007.json']);
    expect(await readAuditCheckpointFiles(dir, 'ecert_files')).toEqual(expect.arrayContaining([first, second]));
  });
});
