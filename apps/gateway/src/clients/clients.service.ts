import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, validateRegionCode, type Operation } from '@ecert/common';
import { Subjects, type AuthenticatedCertificate, type Page } from '@ecert/contracts';
import type { ClientView, IssuedApiKeyView, RegisteredClientView } from './client.views';
import { GATEWAY_DATA_SOURCE } from '../gateway.tokens';
import { RpcClient } from '../rpc/rpc-client.service';
import { newApiKey } from './api-key';
import { CredentialCache } from '../access/credential.cache';

/**
 * 应用开通: registering business systems and managing their credentials. Every change is announced
 * to the gateways' credential caches after it committed, before its answer (CredentialCache).
 */
@Injectable()
export class ClientsService {
  constructor(
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    private readonly rpc: RpcClient,
    private readonly credentials: CredentialCache,
  ) {}

  async register(input: { name: string; department: string; operations: Operation[] | string[]; regionCodes?: string[]; rateLimitPerSecond?: number; keyExpiresAt?: string }): Promise<RegisteredClientView> {
    for (const [i, code] of (input.regionCodes ?? []).entries()) {
      const r = validateRegionCode(code);
      if (!r.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, `regionCodes[${i}]`, r.message);
    }
    const id = randomUUID();
    const key = newApiKey();
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO "gateway"."client" (id, name, department, operations, region_codes, rate_limit_per_second) VALUES ($1,$2,$3,$4,$5,$6)`,
        [id, input.name, input.department, input.operations, input.regionCodes?.length ? input.regionCodes : null, input.rateLimitPerSecond ?? 500],
      );
      await m.query(`INSERT INTO "gateway"."client_credential" (id, client_id, kind, secret_hash, expires_at) VALUES ($1,$2,'api_key',$3,$4)`, [
        key.credentialId,
        id,
        key.secretHash,
        input.keyExpiresAt ?? null,
      ]);
    });
    return { client: await this.get(id), apiKey: key.apiKey, credentialId: key.credentialId };
  }

  async issueKey(clientId: string, expiresAt?: string): Promise<IssuedApiKeyView> {
    await this.get(clientId);
    const key = newApiKey();
    await this.ds.query(`INSERT INTO "gateway"."client_credential" (id, client_id, kind, secret_hash, expires_at) VALUES ($1,$2,'api_key',$3,$4)`, [
      key.credentialId,
      clientId,
      key.secretHash,
      expiresAt ?? null,
    ]);
    return { apiKey: key.apiKey, credentialId: key.credentialId };
  }

  async revokeCredential(clientId: string, credentialId: string): Promise<ClientView> {
    const rows = await this.ds.query(
      `WITH u AS (UPDATE "gateway"."client_credential" SET revoked_at = now() WHERE id = $1 AND client_id = $2 AND revoked_at IS NULL RETURNING id) SELECT id FROM u`,
      [credentialId, clientId],
    );
    if (!rows.length) throw ProblemError.notFound(ProblemCode.notFound, `No active credential ${credentialId} for client ${clientId}`);
    this.credentials.announce(clientId);
    return this.get(clientId);
  }

  async setStatus(clientId: string, status: 'enabled' | 'disabled'): Promise<ClientView> {
    await this.get(clientId);
    await this.ds.query(`UPDATE "gateway"."client" SET status = $2, updated_at = now() WHERE id = $1`, [clientId, status]);
    this.credentials.announce(clientId);
    return this.get(clientId);
  }

  /** Registers a certificate ecert issued as the client's mutual-TLS credential. */
  async bindCertificate(clientId: string, pem: string): Promise<ClientView> {
    await this.get(clientId);
    const cert = await this.rpc.call<AuthenticatedCertificate>(Subjects.cert.authenticate, { certificate: pem });
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const id = `tls_${fingerprint.slice(0, 12)}`;
    await this.ds.query(
      `INSERT INTO "gateway"."client_credential" (id, client_id, kind, certificate_fingerprint, certificate_serial, expires_at) VALUES ($1,$2,'certificate',$3,$4,$5)`,
      [id, clientId, fingerprint, cert.serial, cert.notAfter],
    ).catch((e: { code?: string }) => {
      if (e.code === '23505') throw ProblemError.conflict(ProblemCode.validationFailed, 'This certificate is already registered as a credential');
      throw e;
    });
    return this.get(clientId);
  }

  /** Oldest first (registration order, then id). */
  async list(page = 1, pageSize = 20): Promise<Page<ClientView>> {
    const ids: { id: string }[] = await this.ds.query(`SELECT id FROM "gateway"."client" ORDER BY created_at, id LIMIT $1 OFFSET $2`, [pageSize, (page - 1) * pageSize]);
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM "gateway"."client"`);
    return { items: await Promise.all(ids.map((r) => this.get(r.id))), page, pageSize, total };
  }

  async get(id: string): Promise<ClientView> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw ProblemError.badRequest(ProblemCode.validationFailed, 'id', 'client id must be a UUID');
    const rows = await this.ds.query(`SELECT * FROM "gateway"."client" WHERE id = $1`, [id]);
    if (!rows.length) throw ProblemError.notFound(ProblemCode.notFound, `No client ${id}`);
    const c = rows[0];
    const creds = await this.ds.query(
      `SELECT id, kind, expires_at, revoked_at, last_used_at, certificate_serial FROM "gateway"."client_credential" WHERE client_id = $1 ORDER BY created_at`,
      [id],
    );
    return {
      id: c.id,
      name: c.name,
      department: c.department,
      operations: c.operations,
      regionCodes: c.region_codes,
      status: c.status,
      rateLimitPerSecond: c.rate_limit_per_second,
      credentials: creds.map((k: Record<string, unknown>) => ({
        id: k.id as string,
        kind: k.kind as string,
        expiresAt: (k.expires_at as Date | null)?.toISOString() ?? null,
        revokedAt: (k.revoked_at as Date | null)?.toISOString() ?? null,
        lastUsedAt: (k.last_used_at as Date | null)?.toISOString() ?? null,
        certificateSerial: (k.certificate_serial as string | null) ?? null,
      })),
    };
  }
}
