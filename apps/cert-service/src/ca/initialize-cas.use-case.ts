import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { EcertConfig } from '@ecert/common';
import { CONFIG, DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { dataSourceUrl, withSessionLock } from '@ecert/database';
import {
  buildCertificate,
  buildName,
  certificateProfiles,
  extendedKeyUsageOf,
  formatName,
  issuerFromCertificate,
  newSerialNumber,
  PROFILE_OID,
  type Signer,
} from '@ecert/pki';
import { CaEntity, type CaFamily, type CaRole } from './ca.entity';
import { CA_FAMILIES, CA_KEY_ALGORITHMS, CA_VALIDITY_DAYS, caId, caSubject, pkiLinks } from './ca-naming';
import { CaKeyStores } from '../keys/ca-key-stores';
import { KEY_STORES } from '../cert-service.tokens';
import { CaRegistry } from './ca-registry.service';

const DAY = 86_400_000;
const OCSP_SIGNER_RENEW_BEFORE_MS = 30 * DAY;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function isMarkedSealMaker(certificate: Uint8Array): boolean {
  return extendedKeyUsageOf(new Uint8Array(certificate))?.includes(PROFILE_OID.kpEcertSealMaking) ?? false;
}

/**
 * Creates, per algorithm family, the root CA, the issuing CA, the delegated OCSP signer and the
 * seal-maker certificate, skipping whatever exists already; renews OCSP signers near expiry and
 * re-issues seal makers that lack id-kp-ecertSealMaking; replaces revoked OCSP signers and seal makers
 * (never a revoked issuing CA, see RevokeCaCertificateUseCase). Safe to run at every start and from
 * several processes at once (an advisory lock serialises them).
 */
@Injectable()
export class InitializeCasUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
  ) {}

  async execute(families: readonly CaFamily[] = CA_FAMILIES): Promise<{ created: string[]; existing: string[]; renewed: string[]; replaced: string[]; revoked: string[] }> {
    const created: string[] = [];
    const existing: string[] = [];
    const renewed: string[] = [];
    /** Revoked OCSP signers and seal makers given a new key and certificate. */
    const replaced: string[] = [];
    /** Revoked issuing CAs: their family issues, signs and answers nothing until re-keyed. */
    const revoked: string[] = [];
    // The lock lives on a connection of its own, so creating keys and rows through the pool never
    // waits for a pooled connection while this one is held.
    let announced = false;
    // CRL and AIA links outlive everything else a CA writes: say which base URL goes in, once.
    const announce = () => {
      if (announced) return;
      announced = true;
      this.logger.warn({ publicUrl: this.config.ECERT_PUBLIC_URL }, `creating CA certificates with CRL/OCSP/CA-issuer links under ECERT_PUBLIC_URL=${this.config.ECERT_PUBLIC_URL}`);
    };
    await withSessionLock(dataSourceUrl(this.ds), 'ecert-ca-init', async () => {
      for (const family of families) {
        let issuingRevoked = false;
        for (const role of ['root', 'issuing', 'ocsp', 'seal-maker'] as CaRole[]) {
          const id = caId(family, role);
          const row = await this.ds.getRepository(CaEntity).findOneBy({ id });
          // Nothing can be certified under a revoked issuing CA (its key signs nothing more).
          if (issuingRevoked) {
            if (row) existing.push(id);
            continue;
          }
          if (row) {
            existing.push(id);
            if (await this.registry.revokedInDatabase(row)) {
              if (role === 'issuing') {
                issuingRevoked = true;
                revoked.push(id);
                this.logger.error({ caId: id, serial: row.serial }, `${id} is revoked: no ${family} certificates, CRLs, OCSP answers or seals until it is re-keyed (an operator procedure, see docs/decisions.md)`);
              } else {
                // A revoked OCSP signer or seal maker is replaced by a new key under the same issuer.
                announce();
                await this.createCa(family, role, true);
                replaced.push(id);
                this.logger.warn({ caId: id, revokedSerial: row.serial }, `${id} was revoked: replaced by a new key and certificate`);
              }
              continue;
            }
            // The OCSP signer carries ocsp-nocheck, so it is short-lived by design: it is re-keyed
            // and re-issued in time instead of being checked for revocation.
            const ocspDue = role === 'ocsp' && row.notAfter.getTime() - Date.now() < OCSP_SIGNER_RENEW_BEFORE_MS;
            // A seal maker certified before id-kp-ecertSealMaking existed: seal verifiers now refuse
            // it, so it is re-keyed and re-issued with the purpose (seals it made stay stored).
            const unmarkedSealMaker = role === 'seal-maker' && !isMarkedSealMaker(row.certificate);
            if (ocspDue || unmarkedSealMaker) {
              announce();
              await this.createCa(family, role, true);
              renewed.push(id);
              if (unmarkedSealMaker) this.logger.warn({ caId: id, previousSerial: row.serial }, 'seal-maker certificate lacked id-kp-ecertSealMaking: re-issued with it');
            }
            continue;
          }
          announce();
          await this.createCa(family, role);
          created.push(id);
        }
      }
    });
    await this.registry.reload();
    if (created.length || renewed.length || replaced.length) this.logger.info({ created, renewed, replaced }, 'CA certificates created or renewed');
    return { created, existing, renewed, replaced, revoked };
  }

  /** Whether the role's current certificate is revoked (by its issuer); roots never are. */

  private async createCa(family: CaFamily, role: CaRole, replace = false): Promise<void> {
    const id = caId(family, role);
    const algorithm = CA_KEY_ALGORITHMS[family][role];
    const store = this.keyStores.forNewKey(algorithm);
    // Key ids are unique per creation so a half-finished earlier attempt never collides.
    const keyId = `${id}-${Date.now().toString(36)}`;
    const key = await store.generate(keyId, algorithm);
    const links = pkiLinks(this.config.ECERT_PUBLIC_URL);
    const subjectName = buildName(caSubject(family, role));
    const now = new Date(Date.now() - 60_000); // tolerate small clock skew at relying parties
    const notAfter = new Date(now.getTime() + CA_VALIDITY_DAYS[role] * DAY);

    let issuerCertificate: Uint8Array | undefined;
    let signer: Signer;
    let parentId: string | null = null;
    if (role === 'root') {
      signer = await store.signer(keyId);
    } else {
      parentId = caId(family, role === 'issuing' ? 'root' : 'issuing');
      const parent = await this.ds.getRepository(CaEntity).findOneByOrFail({ id: parentId });
      issuerCertificate = new Uint8Array(parent.certificate);
      signer = await this.keyStores.byKind(parent.keyStore).signer(parent.keyId);
    }
    const parentLinks = parentId
      ? { crlUrl: links.crlUrl(parentId), ocspUrl: links.ocspUrl, caIssuersUrl: links.caCertUrl(parentId) }
      : undefined;
    const extensions =
      role === 'root'
        ? certificateProfiles.rootCa({ subjectSpki: key.spki })
        : role === 'issuing'
          ? certificateProfiles.issuingCa({ subjectSpki: key.spki, ...parentLinks })
          : role === 'ocsp'
            ? certificateProfiles.ocspSigner({ subjectSpki: key.spki })
            : certificateProfiles.sealMaker({ subjectSpki: key.spki, ...parentLinks! });
    const serial = newSerialNumber();
    const der = await buildCertificate({
      issuer: issuerCertificate ? issuerFromCertificate(issuerCertificate) : { name: subjectName, spki: key.spki },
      signer,
      subjectName,
      subjectSpki: key.spki,
      serialNumber: serial,
      notBefore: now,
      notAfter,
      extensions,
    });
    const values = {
      id,
      family,
      role,
      parentId,
      keyId,
      keyStore: store.kind,
      keyAlgorithm: algorithm,
      certificate: Buffer.from(der),
      subject: formatName(subjectName),
      serial: hex(serial),
      notBefore: now,
      notAfter,
    };
    if (replace) await this.ds.getRepository(CaEntity).update({ id }, values);
    else await this.ds.getRepository(CaEntity).insert(values);
  }
}
