import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { DATA_SOURCE } from '@ecert/messaging';
import { encodePem, firstRevokedInChain, serialKey, type AlgorithmFamily, type Signer } from '@ecert/pki';
import type { CaView, RevokedCaCertificateView } from '@ecert/contracts';
import { CaEntity, type CaRole } from './ca.entity';
import { CaRevocationEntity } from './ca-revocation.entity';
import { CaKeyStores } from '../keys/ca-key-stores';
import { KEY_STORES } from '../cert-service.tokens';
import { caId } from './ca-naming';

/**
 * The CA certificates and their signers, loaded once and kept in memory: they change only at
 * CA initialisation and CA revocation, and every issuance, CRL and OCSP answer needs them. Signers are loaded
 * with the certificates, before the new set replaces the old one: a request never loads a key
 * (reading its blob through the pool while it holds a connection in a transaction could wedge
 * the pool), and the first request of a family costs nothing extra.
 */
@Injectable()
export class CaRegistry {
  private cas = new Map<string, CaEntity>();
  /** Bumped on every reload, so caches built from the CAs (OCSP responders) know to rebuild. */
  generation = 0;
  /** Which CA certificates and revocations the loaded set reflects (see stateKey). */
  private loadedState?: string;
  private signers = new Map<string, Signer>();
  /** Revoked CA certificates by `issuer:serial`; a CA whose current certificate is here signs nothing. */
  private revocations = new Map<string, CaRevocationEntity>();

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
  ) {}

  async reload(): Promise<void> {
    const state = await this.stateKey();
    const rows = await this.ds.getRepository(CaEntity).find();
    const revocations = await this.ds.getRepository(CaRevocationEntity).find();
    const signers = new Map<string, Signer>();
    for (const r of rows) signers.set(r.id, await this.keyStores.byKind(r.keyStore).signer(r.keyId));
    this.cas = new Map(rows.map((r) => [r.id, r]));
    this.signers = signers;
    this.revocations = new Map(revocations.map((r) => [`${r.issuerCaId}:${r.serial}`, r]));
    this.loadedState = state;
    this.generation++;
  }

  /**
   * Reloads only if the CA certificates or their revocations differ from what is loaded: another
   * instance revoked or replaced one (its broadcast says so, but is not trusted to say what).
   */
  async reloadIfChanged(): Promise<boolean> {
    if ((await this.stateKey()) === this.loadedState) return false;
    await this.reload();
    return true;
  }

  /** One cheap query naming every CA certificate and every CA revocation. */
  private async stateKey(): Promise<string> {
    const [{ state }] = await this.ds.query(
      `SELECT coalesce((SELECT string_agg(id || '=' || serial, ',' ORDER BY id) FROM "cert"."ca"), '') || '|' ||
              coalesce((SELECT string_agg(issuer_ca_id || ':' || serial, ',' ORDER BY issuer_ca_id, serial) FROM "cert"."ca_revocation"), '') AS state`,
    );
    return state;
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

  /** Whether this CA certificate is revoked, read from the database now (not from what this instance loaded). */
  async revokedInDatabase(row: CaEntity): Promise<boolean> {
    if (!row.parentId) return false;
    const hit: unknown[] = await this.ds.query('SELECT 1 FROM "cert"."ca_revocation" WHERE issuer_ca_id = $1 AND serial = $2', [row.parentId, serialKey(row.serial)]);
    return hit.length > 0;
  }

  /** The revocation of the CA's current certificate, if it is revoked. */
  revocationOf(id: string): CaRevocationEntity | undefined {
    const ca = this.cas.get(id);
    return ca?.parentId ? this.revocations.get(`${ca.parentId}:${serialKey(ca.serial)}`) : undefined;
  }

  /** The CA itself or the CA above it whose revocation stops it from signing, if any. */
  revokedInChainOf(id: string): CaEntity | undefined {
    return firstRevokedInChain(this.chain(id).map((ca) => ({ ca, revoked: !!this.revocationOf(ca.id) })))?.ca;
  }

  /** A CA may sign (certificates, CRLs, OCSP answers, seals) only while its whole chain is unrevoked. */
  usable(id: string): boolean {
    return this.cas.has(id) && !this.revokedInChainOf(id);
  }

  signer(id: string): Promise<Signer> {
    this.get(id);
    const revoked = this.revokedInChainOf(id);
    if (revoked) {
      throw new ProblemError(503, ProblemCode.caRevoked, 'CA 证书已吊销 (CA revoked)', revoked.id === id ? `The certificate of CA ${id} is revoked: it signs nothing more` : `CA ${id} is under ${revoked.id}, whose certificate is revoked: it signs nothing more`);
    }
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
      ...this.revocationView(ca.id),
      ...(ca.role === 'root' || ca.role === 'issuing' ? { revokedCertificates: this.revokedIssuedBy(ca.id) } : {}),
    };
  }

  /** What the CA's CRL lists of CA-level certificates, oldest revocation first. */
  private revokedIssuedBy(id: string): RevokedCaCertificateView[] {
    return [...this.revocations.values()]
      .filter((r) => r.issuerCaId === id)
      .sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime() || a.serial.localeCompare(b.serial))
      .map((r) => ({ caId: r.caId, role: r.role, serial: r.serial, subject: r.subject, notAfter: r.notAfter.toISOString(), revokedAt: r.revokedAt.toISOString(), revocationReason: r.reason }));
  }

  private revocationView(id: string): { revokedAt?: string; revocationReason?: string } {
    const r = this.revocationOf(id);
    return r ? { revokedAt: r.revokedAt.toISOString(), revocationReason: r.reason } : {};
  }
}
