import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { isOperation, NATIONAL_SCOPE, ProblemCode, ProblemError, ROLE_OPERATIONS, type EcertConfig, type Operation, type StaffRole } from '@ecert/common';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { RpcClient } from '../rpc/rpc-client.service';
import { Subjects } from '@ecert/contracts';
import { parseApiKey, secretMatches } from '../clients/api-key';
import { verifyStaffToken } from '../auth/staff-token';
import type { Principal } from './principal';
import { CertificateStatusCache } from './certificate-status.cache';
import { CredentialCache, type CredentialRow } from './credential.cache';
import { CredentialUseRecorder } from './credential-use.recorder';
import { trustedProxySet } from '../request-context/client-address';

/** National scope, stated explicitly in every context: staff of region 000000 and clients registered without regions. */
export const NATIONAL_REGION = NATIONAL_SCOPE;

const unauthorized = (detail: string) => new ProblemError(401, ProblemCode.unauthorized, '未认证 (authentication required)', detail);

/**
 * Turns request headers into a Principal, or says why not. A staff member is checked against the
 * database on every request; a client's credential may come from the CredentialCache, which every
 * change made through the API empties for that client in this process at once and in the others
 * when its broadcast arrives (normally milliseconds; at most ECERT_CREDENTIAL_CACHE_MS; see there).
 */
@Injectable()
export class AccessService {
  private readonly trustedProxies: Set<string>;

  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    private readonly rpc: RpcClient,
    private readonly certificateStatus: CertificateStatusCache,
    private readonly credentials: CredentialCache,
    private readonly credentialUse: CredentialUseRecorder,
  ) {
    this.trustedProxies = trustedProxySet(config.ECERT_TRUSTED_PROXIES);
  }

  async resolve(req: Request): Promise<Principal> {
    const auth = req.header('authorization');
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw unauthorized('Authorization must be "Bearer <token>"');
      return this.staff(m[1]);
    }
    const apiKey = req.header('x-api-key');
    if (apiKey) return this.client(apiKey);
    const clientCert = req.header('x-client-cert');
    if (clientCert && this.trustedProxies.has(normaliseIp(req.socket.remoteAddress))) return this.clientByCertificate(clientCert);
    throw unauthorized('A client credential (X-Api-Key or a client certificate) or a staff token is required');
  }

  /** A staff member's bearer token however it was presented (the header, or the queue board's session cookie). */
  async staffByToken(token: string): Promise<Principal> {
    return this.staff(token);
  }

  private async staff(token: string): Promise<Principal> {
    const claims = verifyStaffToken(token, this.config.ECERT_TOKEN_SECRET);
    if (!claims) throw unauthorized('The staff token is invalid or expired; log in again');
    const rows: { id: string; name: string; role: StaffRole; region_code: string; status: string }[] = await this.ds.query(
      `SELECT s.id, s.name, s.role, s.region_code, s.status FROM "gateway"."staff" s
         JOIN "gateway"."staff_certificate" c ON c.staff_id = s.id AND c.serial = $2 WHERE s.id = $1`,
      [claims.sub, claims.cert],
    );
    const s = rows[0];
    if (!s || s.status !== 'enabled') throw unauthorized('The staff account is disabled or no longer bound to that certificate');
    // A token lives 15 minutes; the certificate it was won with may be frozen or revoked sooner.
    if (!(await this.certificateStatus.usable(claims.cert))) throw unauthorized('The login certificate of this token is frozen, revoked or expired; log in again');
    return {
      kind: 'staff',
      staffId: s.id,
      name: s.name,
      role: s.role,
      operations: ROLE_OPERATIONS[s.role],
      regions: [s.region_code],
      rateLimitPerSecond: 50,
    };
  }

  private async client(apiKey: string): Promise<Principal> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) throw unauthorized('The API key is malformed');
    const row = await this.credentials.lookup(`id:${parsed.credentialId}`, () => this.credential('c.id = $1', [parsed.credentialId]));
    if (!row || !row.secret_hash || !secretMatches(parsed.secret, row.secret_hash)) throw unauthorized('The API key is not valid');
    const principal = this.checkClient(row);
    this.credentialUse.used(row.id);
    return principal;
  }

  private async clientByCertificate(escapedPem: string): Promise<Principal> {
    let der: Buffer;
    try {
      const pem = decodeURIComponent(escapedPem);
      der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    } catch {
      throw unauthorized('The forwarded client certificate cannot be read');
    }
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const row = await this.credentials.lookup(`fp:${fingerprint}`, () => this.credential('c.certificate_fingerprint = $1', [fingerprint]));
    if (!row) throw unauthorized('The client certificate is not registered');
    const principal = this.checkClient(row);
    // The certificate's own status counts too: a frozen or revoked client certificate stops working
    // at once, whether or not the TLS proxy checks CRLs.
    try {
      await this.rpc.call(Subjects.cert.authenticate, { certificate: der.toString('base64') });
    } catch (e) {
      if (e instanceof ProblemError && e.status === 401) throw unauthorized(`The client certificate is no longer valid: ${e.detail ?? e.message}`);
      throw e;
    }
    this.credentialUse.used(row.id);
    return principal;
  }

  private async credential(where: string, params: unknown[]): Promise<CredentialRow | undefined> {
    const rows: CredentialRow[] = await this.ds.query(
      `SELECT c.id, c.client_id, c.secret_hash, c.expires_at, c.revoked_at, k.name, k.status, k.operations, k.region_codes, k.rate_limit_per_second
         FROM "gateway"."client_credential" c JOIN "gateway"."client" k ON k.id = c.client_id WHERE ${where}`,
      params,
    );
    return rows[0];
  }

  private checkClient(row: CredentialRow): Principal {
    if (row.revoked_at) throw unauthorized('The credential has been revoked');
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) throw unauthorized('The credential has expired');
    if (row.status !== 'enabled') throw unauthorized('The client system is disabled');
    return {
      kind: 'client',
      clientId: row.client_id,
      credentialId: row.id,
      name: row.name,
      operations: row.operations.filter(isOperation) as Operation[],
      regions: row.region_codes && row.region_codes.length ? row.region_codes : [NATIONAL_REGION],
      rateLimitPerSecond: row.rate_limit_per_second,
    };
  }
}

function normaliseIp(ip: string | undefined): string {
  return (ip ?? '').replace(/^::ffff:/, '');
}
