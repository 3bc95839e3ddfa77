import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIT_GENESIS_HASH, auditHash, auditMac, type AuditAlgorithm, type StoredAuditRecord } from './audit-chain';
import { signAuditCheckpoint, verifyAuditCheckpoint, type SignedAuditCheckpoint } from './audit-checkpoint';
import { loadAuditKeys, parseAuditPublicKey, type AuditKeys } from './audit-keys';
import { verifyAuditChain, type AuditVerifyOptions } from './audit-chain-verifier';
import { maskPersonalData } from './personal-data-masker';

const keys = loadAuditKeys('a test audit secret, not the development default');
const CHAIN = 'ecert_test';

/** A chain as the gateway writes it: `legacy` unkeyed records first (pre-issue-8), then keyed ones. */
function chain(n: number, legacy = 0, k: AuditKeys = keys): StoredAuditRecord[] {
  const out: StoredAuditRecord[] = [];
  let prev = AUDIT_GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const alg: AuditAlgorithm = seq <= legacy ? 'sha256' : 'hmac-sha256';
    const body = {
      seq,
      at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
      clientId: null,
      staffId: `staff-${seq % 3}`,
      ...(alg === 'hmac-sha256' ? { actor: seq % 2 ? null : 'seal-service' } : {}),
      action: 'POST /api/v1/certificates/:serial/freeze',
      target: `serial-${seq}`,
      outcome: 'success',
      requestId: `req-${seq}`,
      details: { n: seq, nested: { b: 1, a: [1, 'x'] } },
      prevHash: prev,
    };
    const hash = alg === 'hmac-sha256' ? auditMac(k.macKey, body) : auditHash(body);
    out.push({ ...body, alg, hash });
    prev = hash;
  }
  return out;
}

function checkpointAt(records: StoredAuditRecord[], seq: number, k: AuditKeys = keys, chainName = CHAIN): SignedAuditCheckpoint {
  const r = records[seq - 1];
  return signAuditCheckpoint({ v: 1, chain: chainName, seq, hash: r.hash, at: new Date().toISOString(), macKeyId: k.macKeyId, keyId: k.publicKeyId }, k.signingKey);
}

async function* stream(records: StoredAuditRecord[]) {
  for (const r of records) yield { ...r };
}

const verify = (records: StoredAuditRecord[], opts: Partial<AuditVerifyOptions> = {}) =>
  verifyAuditChain(stream(records), { chain: CHAIN, macKey: keys.macKey, publicKey: keys.publicKey, ...opts });

/** What an attacker with write access to the table but not the key can do: recompute SHA-256. */
function rehashFrom(records: StoredAuditRecord[], from: number, alg: AuditAlgorithm): StoredAuditRecord[] {
  const out = records.map((r) => ({ ...r }));
  for (let i = from - 1; i < out.length; i++) {
    const prevHash = i === 0 ? AUDIT_GENESIS_HASH : out[i - 1].hash;
    const { hash: _h, alg: _a, ...body } = { ...out[i], prevHash };
    const forged = alg === 'sha256' ? { ...body, actor: undefined } : body;
    out[i] = { ...forged, prevHash, alg, hash: auditHash(forged) };
  }
  return out;
}

describe('audit chain verification', () => {
  it('accepts an intact keyed chain and its checkpoints, and says how much is not anchored yet', async () => {
    const records = chain(20);
    const r = await verify(records, { checkpoints: [checkpointAt(records, 10), checkpointAt(records, 15)] });
    expect(r.break).toBeUndefined();
    expect(r.checked).toBe(20);
    expect(r.checkpoints).toEqual({ verified: 2, foreign: 0, latest: 15 });
    expect(r.unanchored).toBe(5);
    expect(r.head?.seq).toBe(20);
  });

  it('accepts legacy unkeyed records before the keyed ones (a chain begun before keying), up to the configured boundary', async () => {
    const records = chain(12, 4);
    const r = await verify(records, { checkpoints: [checkpointAt(records, 12)], legacyUntil: 4 });
    expect(r.break).toBeUndefined();
    expect(r.legacy).toBe(4);
    expect(r.legacyUntil).toBe(4);
    expect(r.unanchored).toBe(0);
    // A boundary set too low (or not at all) refuses what lies beyond it.
    expect((await verify(records, { legacyUntil: 3 })).break).toMatchObject({ seq: 4, reason: 'downgraded' });
    expect((await verify(records)).break).toMatchObject({ seq: 1, reason: 'downgraded' });
  });

  it('refuses a chain rewritten entirely as unkeyed records, checkpoints deleted: the boundary is configured, not read from the records', async () => {
    // The attacker writes the database, not the key: edits, deletes, renumbers, re-hashes as 'sha256'.
    const keyedOnly = chain(10).filter((r) => r.seq !== 4).map((r) => ({ ...r, seq: r.seq > 4 ? r.seq - 1 : r.seq, outcome: r.seq === 7 ? 'failure' : r.outcome }));
    const forged = rehashFrom(keyedOnly, 1, 'sha256');
    const r = await verify(forged);
    expect(r.break).toMatchObject({ seq: 1, reason: 'downgraded' });
    expect(r.break?.detail).toContain('ECERT_AUDIT_LEGACY_UNTIL');
    // A deployment with legacy records: everything beyond them re-hashed as unkeyed is refused too.
    const legacy = rehashFrom(chain(12, 4), 1, 'sha256');
    expect((await verify(legacy, { legacyUntil: 4 })).break).toMatchObject({ seq: 5, reason: 'downgraded' });
  });

  it('detects an edited record', async () => {
    const records = chain(10);
    records[6] = { ...records[6], outcome: 'failure', details: {} };
    const r = await verify(records);
    expect(r.break).toMatchObject({ seq: 7, reason: 'hash_mismatch' });
    expect(r.checked).toBe(6);
  });

  it('detects an edit whose author re-hashed the rest without the key', async () => {
    const records = chain(10);
    records[3] = { ...records[3], outcome: 'failure' };
    // Re-hashed, keeping the algorithm label: the forged hashes are no MACs.
    expect((await verify(rehashFrom(records, 4, 'hmac-sha256'))).break).toMatchObject({ seq: 4, reason: 'hash_mismatch' });
    // Re-hashed as legacy records: unkeyed records may not follow keyed ones.
    expect((await verify(rehashFrom(records, 4, 'sha256'))).break).toMatchObject({ seq: 4, reason: 'downgraded' });
    // The whole chain re-hashed as legacy links up, but no record of it may be unkeyed, and it
    // contradicts the checkpoint kept outside (which an auditor without the MAC key relies on).
    const cp = checkpointAt(records, 8);
    const all = rehashFrom(records, 1, 'sha256');
    expect((await verify(all)).break).toMatchObject({ seq: 1, reason: 'downgraded' });
    expect((await verify(all, { checkpoints: [cp], legacyUntil: 10 })).break).toMatchObject({ seq: 8, reason: 'checkpoint_mismatch' });
  });

  it('detects a deleted record, the first one included', async () => {
    const records = chain(10);
    expect((await verify(records.filter((r) => r.seq !== 5))).break).toMatchObject({ seq: 5, reason: 'sequence_gap' });
    expect((await verify(records.slice(1))).break).toMatchObject({ seq: 1, reason: 'sequence_gap' });
    // Renumbered to hide the gap: the links and MACs no longer fit.
    const renumbered = records.filter((r) => r.seq !== 5).map((r) => (r.seq > 5 ? { ...r, seq: r.seq - 1 } : r));
    expect((await verify(renumbered)).break).toMatchObject({ seq: 5, reason: 'prev_hash_mismatch' });
  });

  it('detects a cut tail when a checkpoint names a record beyond the end', async () => {
    const records = chain(10);
    const cps = [checkpointAt(records, 5), checkpointAt(records, 8)];
    const r = await verify(records.slice(0, 6), { checkpoints: cps });
    expect(r.break).toMatchObject({ seq: 7, reason: 'truncated' });
    expect(r.break?.detail).toContain('record 8');
    // Cut after the newest checkpoint: not detectable, but reported as not anchored before the cut.
    const after = await verify(records.slice(0, 9), { checkpoints: cps });
    expect(after.break).toBeUndefined();
    expect(after.unanchored).toBe(1);
    // Everything deleted: the checkpoints still remember.
    expect((await verify([], { checkpoints: cps })).break).toMatchObject({ seq: 1, reason: 'truncated' });
  });

  it('refuses checkpoints not signed by the audit key, and ignores other chains', async () => {
    const records = chain(6);
    const other = loadAuditKeys('another deployment entirely');
    const forged = checkpointAt(records, 6, { ...keys, signingKey: other.signingKey });
    expect((await verify(records, { checkpoints: [forged] })).break).toMatchObject({ seq: 6, reason: 'checkpoint_signature_invalid' });
    const edited = checkpointAt(records, 6);
    edited.checkpoint = { ...edited.checkpoint, seq: 3 };
    expect((await verify(records, { checkpoints: [edited] })).break).toMatchObject({ reason: 'checkpoint_signature_invalid' });
    const r = await verify(records, { checkpoints: [checkpointAt(records, 6, keys, 'ecert_elsewhere')] });
    expect(r.break).toBeUndefined();
    expect(r.checkpoints.foreign).toBe(1);
  });

  it('tells a wrong MAC key from tampering when checkpoints say which key wrote the chain', async () => {
    const records = chain(5);
    const wrong = loadAuditKeys('not the key this chain was written with');
    expect((await verify(records, { macKey: wrong.macKey, checkpoints: [checkpointAt(records, 5)] })).break).toMatchObject({ reason: 'wrong_key' });
    expect((await verify(records, { macKey: wrong.macKey })).break).toMatchObject({ seq: 1, reason: 'hash_mismatch' });
  });

  it('lets an auditor holding only the public key check links and checkpoints', async () => {
    const records = chain(8);
    const publicKey = parseAuditPublicKey(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const cp = checkpointAt(records, 8);
    expect((await verify(records, { macKey: undefined, publicKey, checkpoints: [cp] })).break).toBeUndefined();
    const tampered = rehashFrom(records.map((r) => (r.seq === 2 ? { ...r, target: 'x' } : r)), 2, 'hmac-sha256');
    expect((await verify(tampered, { macKey: undefined, publicKey, checkpoints: [cp] })).break).toMatchObject({ seq: 8, reason: 'checkpoint_mismatch' });
  });
});

describe('audit keys and checkpoints', () => {
  it('derives the same keys from the same secret and different ones from another', () => {
    const again = loadAuditKeys('a test audit secret, not the development default');
    expect(again.macKey.equals(keys.macKey)).toBe(true);
    expect(again.publicKeyId).toBe(keys.publicKeyId);
    expect(keys.algorithm).toBe('Ed25519');
    const other = loadAuditKeys('something else');
    expect(other.macKey.equals(keys.macKey)).toBe(false);
    expect(other.publicKeyId).not.toBe(keys.publicKeyId);
  });

  it('signs with a configured ECDSA P-256 key instead of the derived one', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const k = loadAuditKeys('secret', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(k.algorithm).toBe('ECDSA-P256-SHA256');
    const cp = signAuditCheckpoint({ v: 1, chain: CHAIN, seq: 1, hash: 'a'.repeat(64), at: new Date().toISOString(), macKeyId: k.macKeyId, keyId: k.publicKeyId }, k.signingKey);
    expect(verifyAuditCheckpoint(cp, k.publicKey)).toBe(true);
    expect(verifyAuditCheckpoint(cp, keys.publicKey)).toBe(false);
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => loadAuditKeys('secret', rsa.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/Ed25519 or ECDSA P-256/);
  });

  it('makes strings storable in PostgreSQL (no NUL, no lone surrogate) while masking', () => {
    expect(maskPersonalData({ ['a\u0000b']: 'x\u0000y\ud800z', ok: '中文😀' })).toEqual({ 'a\uFFFDb': 'x\uFFFDy\uFFFDz', ok: '中文😀' });
  });
});
