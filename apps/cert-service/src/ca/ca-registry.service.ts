import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { DATA_SOURCE } from '@ecert/messaging';
import { encodePem, type AlgorithmFamily, type Signer } from '@ecert/pki';
import type { CaView } from '@ecert/contracts';
import { CaEntity, type CaRole } from './ca.entity';
import { CaKeyStores } from '../keys/ca-key-stores';
import { KEY_STORES } from '../cert-service.tokens';
import { caId } from './ca-naming';

/**
 * The CA certificates and their signers, loaded once and kept in memory: they change only at
 * CA initialisation, and every issuance, CRL and OCSP answer needs them. Signers are loaded
 * with the certificates, before the new set replaces the old one: a request never loads a key
 * (reading its blob through the pool while it holds a connection in a transaction could wedge
 * the pool), and the first request of a family costs nothing extra.
 */
@Injectable()
export class CaRegistry {
  private cas = new Map<string, CaEntity>();
  /** Bumped on every reload, so caches built from the CAs (OCSP responders) know to rebuild. */
  generation = 0;
  private signers = new Map<string, Signer>();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
  ) {}

  async reload(): Promise<void> {
    const rows = await this.ds.getRepository(CaEntity).find();
    const signers = new Map<string, Signer>();
    for (const r of rows) signers.set(r.id, await this.keyStores.byKind(r.keyStore).signer(r.keyId));
    this.cas = new Map(rows.map((r) => [r.id, r]));
    this.signers = signers;
    this.generation++;
  }

  isEmpty(): boolean {
    return this.cas.size === 0;
  }

  all(): CaEntity[] {
    return [...this.cas.values()];
  }

  find(id: string): CaEntity | undefined {
    return this.cas.get(id);
  }

  get(id: string): CaEntity {
    const ca = this.cas.get(id);
    if (!ca) throw ProblemError.notFound(ProblemCode.caNotFound, `No CA with id '${id}'`);
    return ca;
  }

  byRole(family: AlgorithmFamily, role: CaRole): CaEntity {
    const ca = this.cas.get(caId(family, role));
    if (!ca) throw new ProblemError(503, ProblemCode.serviceUnavailable, 'CA 未初始化 (CA not initialised)', `No ${family} ${role} CA: run npm run ca:init`);
    return ca;
  }

  signer(id: string): Promise<Signer> {
    this.get(id);
    const s = this.signers.get(id);
    if (!s) throw new ProblemError(503, ProblemCode.serviceUnavailable, 'CA 密钥未加载 (CA key not loaded)', `The key of CA ${id} is not loaded`);
    return Promise.resolve(s);
  }

  /** Issuer first, up to and including the root. */
  chain(id: string): CaEntity[] {
    const out: CaEntity[] = [];
    let cur: CaEntity | undefined = this.get(id);
    while (cur) {
      out.push(cur);
      cur = cur.parentId ? this.cas.get(cur.parentId) : undefined;
    }
    return out;
  }

  view(ca: CaEntity): CaView {
    return {
      caId: ca.id,
      role: ca.role,
      family: ca.family,
      subject: ca.subject,
      serial: ca.serial,
      notBefore: ca.notBefore.toISOString(),
      notAfter: ca.notAfter.toISOString(),
      certificatePem: encodePem('CERTIFICATE', new Uint8Array(ca.certificate)),
    };
  }
}
