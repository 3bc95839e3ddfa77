import { createRequire } from 'node:module';
import type * as Pkcs11Types from 'pkcs11js';

// pkcs11js is a CommonJS native addon whose exports ESM cannot enumerate, so it is required; and
// lazily, so that importing @ecert/pki works where the addon was not built (no PKCS#11 in use).
let loaded: typeof Pkcs11Types | undefined;

/** The pkcs11js addon (constants and the PKCS11 class), loaded on first use. */
export function pkcs11js(): typeof Pkcs11Types {
  return (loaded ??= createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11Types);
}

/** One loaded module per library path, shared by all users: C_Initialize/C_Finalize are process-wide. */
const modules = new Map<string, { module: Pkcs11Types.PKCS11; refs: number }>();

/**
 * The module at `path`, loaded and initialised on first use and shared afterwards (the CA key store
 * and a UKey station may use the same library in one process). Pair every call with
 * `releasePkcs11Module`; the last release finalises it. `onError` maps a failed C_Initialize.
 */
export function acquirePkcs11Module(path: string, onError: (fn: string, err: unknown) => Error): Pkcs11Types.PKCS11 {
  const entry = modules.get(path);
  if (entry) {
    entry.refs++;
    return entry.module;
  }
  const module = new (pkcs11js().PKCS11)();
  try {
    module.load(path);
  } catch (err) {
    throw onError('load', err);
  }
  try {
    module.C_Initialize({ flags: pkcs11js().CKF_OS_LOCKING_OK });
  } catch (err) {
    if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      module.close();
      throw onError('C_Initialize', err);
    }
  }
  modules.set(path, { module, refs: 1 });
  return module;
}

export function releasePkcs11Module(path: string): void {
  const entry = modules.get(path);
  if (!entry || --entry.refs > 0) return;
  modules.delete(path);
  try {
    entry.module.C_Finalize();
  } finally {
    entry.module.close();
  }
}

/** The CKR_* name in a pkcs11js error, if any. */
export function ckrName(err: unknown): string | undefined {
  const m = /CKR_[A-Z_]+/.exec(err instanceof Error ? err.message : String(err));
  return m?.[0];
}

/** A CK_ULONG attribute or slot handle (4 or 8 bytes, little-endian as pkcs11js returns them). */
export function ulongOf(buf: Buffer): bigint {
  return buf.length === 8 ? buf.readBigUInt64LE(0) : BigInt(buf.readUInt32LE(0));
}
