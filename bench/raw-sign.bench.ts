import { generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { Sm2PrivateKey, SM2_IS_NATIVE, sm2Verify } from '@ecert/pki';
import { opensslSpeed, type SpeedResult } from './openssl';

/**
 * Raw signing rates on this machine, the ceiling issuance is compared with:
 * - `openssl speed ecdsap256` / `openssl speed sm2` (native, one core);
 * - in this process, the primitives the cert-service itself signs with: Node's crypto.sign for
 *   P-256 (synchronous, and the callback form on the libuv pool that the soft key store uses) and
 *   the project's Sm2PrivateKey.sign (libs/pki/src/crypto/sm2.ts), plus sm2Verify, which every SM2
 *   CSR costs at issuance.
 */
export interface RawSignResults {
  openssl: { ecdsap256: SpeedResult; sm2: SpeedResult };
  node: {
    p256SignSyncPerS: number;
    p256SignAsyncPerS: number;
    sm2SignPerS: number;
    sm2VerifyPerS: number;
    sm2NativePointMultiply: boolean;
  };
}

/** Runs `op` repeatedly for about `seconds`, returns operations per second. */
function rate(seconds: number, op: () => void): number {
  for (let i = 0; i < 50; i++) op(); // warm-up / JIT
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let n = 0;
  for (;;) {
    for (let i = 0; i < 32; i++) op();
    n += 32;
    const elapsed = process.hrtime.bigint() - start;
    if (elapsed >= limit) return n / (Number(elapsed) / 1e9);
  }
}

async function asyncRate(seconds: number, inFlight: number, op: () => Promise<unknown>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  let n = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        await op();
        n++;
      }
    }),
  );
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function measureRawSigning(log: (s: string) => void): Promise<RawSignResults> {
  // A typical TBSCertificate is ~700 bytes; the signature cost hardly depends on it.
  const tbs = randomBytes(700);

  log('  openssl speed -seconds 3 ecdsap256 ...');
  const ecdsap256 = await opensslSpeed('ecdsap256', 3);
  log('  openssl speed -seconds 3 sm2 ...');
  const sm2 = await opensslSpeed('sm2', 3);

  log('  in-process signing rates (Node crypto P-256, ecert Sm2PrivateKey) ...');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p256SignSyncPerS = rate(2, () => nodeSign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' }));
  const p256SignAsyncPerS = await asyncRate(2, 32, () => new Promise((resolve, reject) => nodeSign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' }, (e, s) => (e ? reject(e) : resolve(s)))));

  const sm2Key = Sm2PrivateKey.generate();
  const sm2SignPerS = rate(2, () => sm2Key.sign(tbs));
  const sig = sm2Key.sign(tbs);
  const sm2VerifyPerS = rate(1, () => {
    if (!sm2Verify(sm2Key.publicKey, tbs, sig)) throw new Error('SM2 self-check failed');
  });

  return {
    openssl: { ecdsap256, sm2 },
    node: { p256SignSyncPerS, p256SignAsyncPerS, sm2SignPerS, sm2VerifyPerS, sm2NativePointMultiply: SM2_IS_NATIVE },
  };
}
