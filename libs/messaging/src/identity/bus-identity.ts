import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { EcertConfig } from '@ecert/common';
import { BUS_PRINCIPALS, type BusContextClaims, type BusPrincipal } from '@ecert/contracts';

/** PKCS#8 prefix of an Ed25519 private key: the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Published on purpose: development keys are derived from it, so production refuses them. */
const DEVELOPMENT_SEED = 'ecert-dev-only-bus-key';
/** Tolerated clock difference between processes. */
const CLOCK_SKEW_S = 5;

export class BusContextError extends Error {}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** SHA-256 of a request's data as sent (JSON; absent data counts as null), base64url. */
export function bodyDigest(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data === undefined ? null : data)).digest('base64url');
}

/** The signature part of a context token (what a reply proof is bound to). */
export function tokenSignature(token: string): string {
  return token.slice(token.indexOf('.') + 1);
}

/** What a responder signs for a reply: the request it answers, the subject, and the reply itself. */
export function replyProofData(requestTokenSignature: string, subject: string, reply: unknown): Buffer {
  return Buffer.from(`${requestTokenSignature}\n${subject}\n${bodyDigest(reply)}`);
}

function developmentKey(principal: BusPrincipal): KeyObject {
  const seed = createHash('sha256').update(`${DEVELOPMENT_SEED}:${principal}`).digest();
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function parsePrivateKey(text: string): KeyObject {
  const key = text.includes('-----BEGIN') ? createPrivateKey(text) : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('ECERT_BUS_PRIVATE_KEY must be an Ed25519 key');
  return key;
}

function parsePublicKeys(text: string): Map<BusPrincipal, KeyObject> {
  const out = new Map<BusPrincipal, KeyObject>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq) as BusPrincipal;
    if (eq < 1 || !BUS_PRINCIPALS.includes(name)) throw new Error(`ECERT_BUS_PUBLIC_KEYS: '${part.slice(0, 40)}' is not <principal>=<base64 SPKI>`);
    const key = createPublicKey({ key: Buffer.from(part.slice(eq + 1), 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`ECERT_BUS_PUBLIC_KEYS: the key of ${name} is not Ed25519`);
    out.set(name, key);
  }
  return out;
}

/** Options of `BusIdentity.verifyBytes`. */
export interface VerifyOptions {
  /**
   * Remember a good signature, and answer the same signer, key, bytes and signature from memory:
   * for an event, which several consumers of one process (the gateway's audit and notifications)
   * each receive and verify. Off for request contexts and replies, which are never seen twice.
   */
  remember?: boolean;
}

/** Good signatures lately verified with `remember`, process-wide: SHA-256 over the key's SPKI hash, signer, signature and bytes. */
const remembered = new Set<string>();
/**
 * Enough for the consumers of one process to stay this many events apart (a consumer further behind,
 * or replaying, verifies for itself); the oldest are forgotten first. @internal exported for the tests
 */
export const REMEMBERED_MAX = 4096;
/** @internal How many good signatures are remembered now (tests). */
export const rememberedCount = (): number => remembered.size;
/** An Ed25519 signature (64 bytes) in base64url without padding, the only form `signBytes` writes. */
const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{86}$/;

/**
 * One process's identity on the bus: its Ed25519 key, which signs the contexts of the requests
 * it sends and the events it publishes, and the public keys of the principals it believes.
 */
export class BusIdentity {
  /** SHA-256 of each trusted key's SPKI: what a remembered signature is bound to besides the bytes. */
  private readonly fingerprints: ReadonlyMap<BusPrincipal, Buffer>;

  private constructor(
    readonly principal: BusPrincipal,
    private readonly privateKey: KeyObject,
    private readonly trusted: ReadonlyMap<BusPrincipal, KeyObject>,
    readonly development: boolean,
  ) {
    this.fingerprints = new Map([...trusted].map(([p, k]) => [p, createHash('sha256').update(k.export({ format: 'der', type: 'spki' })).digest()] as const));
  }

  static fromConfig(config: EcertConfig, principal: BusPrincipal): BusIdentity {
    const development = !config.ECERT_BUS_PRIVATE_KEY && !config.ECERT_BUS_PUBLIC_KEYS;
    if (development) {
      const trusted = new Map(BUS_PRINCIPALS.map((p) => [p, createPublicKey(developmentKey(p))] as const));
      return new BusIdentity(principal, developmentKey(principal), trusted, true);
    }
    if (!config.ECERT_BUS_PRIVATE_KEY || !config.ECERT_BUS_PUBLIC_KEYS) {
      throw new Error('ECERT_BUS_PRIVATE_KEY and ECERT_BUS_PUBLIC_KEYS go together: set both, or neither for development keys');
    }
    const privateKey = parsePrivateKey(config.ECERT_BUS_PRIVATE_KEY);
    const trusted = parsePublicKeys(config.ECERT_BUS_PUBLIC_KEYS);
    const own = trusted.get(principal);
    if (!own || !createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).equals(own.export({ format: 'der', type: 'spki' }))) {
      throw new Error(`ECERT_BUS_PRIVATE_KEY is not the key ECERT_BUS_PUBLIC_KEYS lists for ${principal}`);
    }
    return new BusIdentity(principal, privateKey, trusted, false);
  }

  /** A key pair for a deployment's configuration (see `npm run bus:keys`). */
  static developmentPublicKey(principal: BusPrincipal): string {
    return createPublicKey(developmentKey(principal)).export({ format: 'der', type: 'spki' }).toString('base64');
  }

  signBytes(data: Uint8Array): string {
    return b64url(sign(null, data, this.privateKey));
  }

  /** True if `signer` is a principal this process trusts and the signature is its. */
  verifyBytes(signer: string, data: Uint8Array, signature: string, options?: VerifyOptions): boolean {
    const key = this.trusted.get(signer as BusPrincipal);
    // Buffer's base64url decoding skips what is not base64url: one signature must have one text.
    if (!key || !SIGNATURE_TEXT.test(signature)) return false;
    // A hash (≈ 5 µs for an event) instead of an Ed25519 verification (≈ 160 µs on these machines).
    const memo = options?.remember ? this.memo(signer as BusPrincipal, data, signature) : undefined;
    if (memo && remembered.has(memo)) return true;
    let good: boolean;
    try {
      good = verify(null, data, key, Buffer.from(signature, 'base64url'));
    } catch {
      return false;
    }
    if (good && memo) {
      if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.values().next().value!);
      remembered.add(memo);
    }
    return good;
  }

  private memo(signer: BusPrincipal, data: Uint8Array, signature: string): string {
    // Byte lengths before the signer and the signature, the data last: no two inputs hash the same bytes.
    const withLength = (text: string) => {
      const bytes = Buffer.from(text, 'utf8');
      return Buffer.concat([Buffer.from(Uint32Array.of(bytes.length).buffer), bytes]);
    };
    return createHash('sha256').update(this.fingerprints.get(signer)!).update(withLength(signer)).update(withLength(signature)).update(data).digest('base64');
  }

  /** Signs claims as this principal (iss, iat and exp are set here). */
  issueContext(claims: Omit<BusContextClaims, 'v' | 'iss' | 'iat' | 'exp'>, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const full: BusContextClaims = { v: 1, iss: this.principal, ...claims, iat: now, exp: now + ttlSeconds };
    const payload = Buffer.from(JSON.stringify(full));
    return `${b64url(payload)}.${this.signBytes(payload)}`;
  }

  /** The claims of a token signed by a trusted principal, unexpired; throws BusContextError otherwise. */
  readContext(token: unknown): BusContextClaims {
    if (typeof token !== 'string' || token.length > 16_384) throw new BusContextError('no context token');
    const dot = token.indexOf('.');
    if (dot < 1) throw new BusContextError('malformed context token');
    const payload = Buffer.from(token.slice(0, dot), 'base64url');
    let claims: BusContextClaims;
    try {
      claims = JSON.parse(payload.toString('utf8')) as BusContextClaims;
    } catch {
      throw new BusContextError('malformed context token');
    }
    if (!claims || claims.v !== 1 || !BUS_PRINCIPALS.includes(claims.iss)) throw new BusContextError('context token of an unknown issuer');
    if (!this.verifyBytes(claims.iss, payload, token.slice(dot + 1))) throw new BusContextError(`context signature of ${claims.iss} does not verify`);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_S < now) throw new BusContextError('context token expired');
    if (typeof claims.iat !== 'number' || claims.iat - CLOCK_SKEW_S > now) throw new BusContextError('context token issued in the future');
    if (!Array.isArray(claims.reg) || !claims.reg.every((r) => typeof r === 'string')) throw new BusContextError('context token without a region scope');
    if (!Array.isArray(claims.ops) || !claims.ops.every((o) => typeof o === 'string')) throw new BusContextError('context token without operations');
    if (typeof claims.sub !== 'string' || typeof claims.bdy !== 'string') throw new BusContextError('context token not bound to a subject and body');
    return claims;
  }
}
