import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { PLATFORM_KEY_ALGORITHMS, type CertificateView, type IssuePlatformHeldCertificateCommand, type PlatformKeyAlgorithm } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { buildCertificationRequest } from '@ecert/pki';
import { KEY_STORES } from '../cert-service.tokens';
import { CaKeyStores } from '../keys/ca-key-stores';
import { validateSubscriberIdentity } from '../certificates/subscriber-identity';
import { assertAccountHasRoom } from '../certificates/account-certificate-limit';
import { IssueCertificateUseCase } from '../certificates/usecases/issue-certificate.use-case';
import { PlatformKeyEntity } from './platform-key.entity';

/**
 * A unit certificate whose key pair the platform holds (an HRSS office's own seal): the key is
 * generated in the key store (the PKCS#11 token for EC and RSA when one is configured, the
 * encrypted soft store otherwise and always for SM2), a PKCS#10 request is signed with it inside
 * the cert-service, and the certificate is issued through the ordinary issuance
 * (IssueCertificateUseCase: subscriber checks, region scope, CSR and key policy, compromised keys,
 * the per-account limit) with the key's record (cert.platform_key) in the same transaction.
 *
 * The identity, scope and account limit are checked before the key is made, so an ordinary
 * refusal leaves nothing behind; a key made for an issuance that then failed (a race for the
 * account's last slot, the CA down) stays in the store unrecorded and can sign nothing.
 */
@Injectable()
export class IssuePlatformHeldCertificateUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
    private readonly issue: IssueCertificateUseCase,
  ) {}

  async execute(cmd: IssuePlatformHeldCertificateCommand): Promise<CertificateView> {
    const keyAlgorithm = algorithmOf(cmd?.keyAlgorithm);
    const unitCmd = { profile: 'unit' as const, unit: cmd?.unit, ...(cmd?.validityDays !== undefined ? { validityDays: cmd.validityDays } : {}) };
    const identity = validateSubscriberIdentity(unitCmd);
    const ctx = requestContext.getStore();
    assertInScope(ctx, identity.regionCode, `unit ${identity.uscc}`);
    await assertAccountHasRoom(this.ds.manager, identity);

    const store = this.keyStores.forNewKey(keyAlgorithm);
    const keyId = `platform:${randomUUID()}`;
    await store.generate(keyId, keyAlgorithm);
    const signer = await store.signer(keyId);
    // The RA, not the request, decides the subject: the CSR only proves the key signs.
    const csr = await buildCertificationRequest({ CN: keyId }, signer);
    const createdBy = ctx?.actor ?? (ctx?.clientId ? `client:${ctx.clientId}` : null);
    try {
      const view = await this.issue.execute(
        { ...unitCmd, csr: csr.pem },
        {
          platformKey: {
            record: async (m, certificate) => {
              await m.insert(PlatformKeyEntity, { serial: certificate.serial, keyId, keyStore: store.kind, algorithm: keyAlgorithm, createdBy, requestId: ctx?.requestId ?? null });
            },
          },
        },
      );
      this.logger.info({ serial: view.serial, keyId, keyStore: store.kind, algorithm: keyAlgorithm, uscc: identity.uscc, createdBy, requestId: ctx?.requestId }, 'platform-held key generated and certified');
      return view;
    } catch (e) {
      this.logger.warn({ keyId, keyStore: store.kind, err: (e as Error).message }, 'platform key generated but not certified: it stays unrecorded in the key store and signs nothing');
      throw e;
    }
  }
}

function algorithmOf(v: unknown): PlatformKeyAlgorithm {
  if (!(PLATFORM_KEY_ALGORITHMS as readonly unknown[]).includes(v)) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'keyAlgorithm', `keyAlgorithm must be one of ${PLATFORM_KEY_ALGORITHMS.join(', ')}`);
  }
  return v as PlatformKeyAlgorithm;
}
