import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import {
  PLATFORM_KEY_SES_MAX_BYTES,
  PLATFORM_KEY_SIGN_MAX_BYTES,
  PLATFORM_KEY_SIGN_PURPOSES,
  PlatformKeyProblemCode,
  SealProblemCode,
  Subjects,
  type PlatformKeySignCommand,
  type PlatformKeySignPurpose,
  type PlatformKeySignReply,
} from '@ecert/contracts';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { effectiveStatus, OID, publicKeyFingerprint, serialKey } from '@ecert/pki';
import { KEY_STORES } from '../cert-service.tokens';
import { CaKeyStores } from '../keys/ca-key-stores';
import { CaRegistry } from '../ca/ca-registry.service';
import { CertificateEntity } from '../certificates/certificate.entity';
import { PlatformKeyEntity } from './platform-key.entity';
import { PlatformKeyUseEntity } from './platform-key-use.entity';
import { parseSignedAttributes } from './signed-attributes.parser';
import { parseTbsSignForSeal } from './tbs-sign.parser';
import { sealProvenance } from '../seal-maker/seal-provenance';

const SERIAL = /^[0-9a-f]{2,40}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The operation the caller behind the document-sealing request must hold. */
const DOCUMENT_SEAL_OPERATION = 'documents:seal';

/**
 * Server-side signing with a platform-held key (an HRSS office's own seal), in one call. Signed
 * only: for the seal-service (bus policy), inside the gateway's document-sealing request
 * (Subjects.seal.documentSeal) of a caller holding documents:seal and whose region scope covers
 * the certificate; with the key of a platform-held certificate that is active (not frozen,
 * revoked, expired, nor under a revoked CA); over a CMS SignedAttributes SET with content-type and
 * message-digest (parseSignedAttributes) and, for an SM2 key, in the same call the GB/T 38540
 * TBS_Sign of a seal of this very certificate over the same digest (parseTbsSignForSeal), nothing
 * else; that seal must be on the seal maker's record for this certificate with a traceable
 * provenance (seal-provenance.ts), and its esID and SES_SealInfo hash are recorded. SM2 keys sign with SM3 and the standard user ID 1234567812345678 (the key store's
 * signer), ECDSA and RSA with SHA-256.
 *
 * The certificate row is held FOR SHARE from the status check to the record, so a freeze or
 * revocation waits for a signature in flight and no signature follows it. Every signature is
 * recorded (cert.platform_key_use) before it is returned; a signature whose record cannot be
 * written is not returned. Not idempotent, on purpose: signing the same attributes twice gives a
 * second valid signature and a second record, and harms nothing.
 */
@Injectable()
export class SignWithPlatformKeyUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KEY_STORES) private readonly keyStores: CaKeyStores,
    private readonly registry: CaRegistry,
  ) {}

  async execute(cmd: PlatformKeySignCommand): Promise<PlatformKeySignReply> {
    assertDocumentSealRequested();
    const req = validate(cmd);
    const attributes = parseSignedAttributes(req.data);
    if (!attributes.ok) {
      throw ProblemError.badRequest(ProblemCode.validationFailed, 'dataToSign', `a platform-held key signs only the DER SignedAttributes of a CMS signature: ${attributes.problem}`);
    }
    const ctx = requestContext.getStore();

    const row = await this.ds.getRepository(CertificateEntity).findOneBy({ serial: req.certificateSerial });
    if (!row) throw refusal(422, SealProblemCode.certificateNotFound, `No certificate with serial ${req.certificateSerial}`);
    assertInScope(ctx, row.regionCode, `certificate ${row.serial}`);
    const key = await this.ds.getRepository(PlatformKeyEntity).findOneBy({ serial: row.serial });
    if (!row.platformHeld || !key) {
      throw refusal(422, PlatformKeyProblemCode.notPlatformHeld, `the key of certificate ${row.serial} is not held by the platform (a UKey's certificate is signed on the UKey)`);
    }
    assertActive(row, this.registry);
    // Loaded before the transaction: the first use of a soft key decrypts it (scrypt), and no
    // connection is held meanwhile.
    const signer = await this.keyStores.byKind(key.keyStore).signer(key.keyId);
    if (publicKeyFingerprint(signer.spki) !== row.spkiSha256) {
      this.logger.error({ serial: row.serial, keyId: key.keyId }, 'platform key does not match its certificate');
      throw new ProblemError(500, ProblemCode.internal, '平台密钥与证书不符 (platform key mismatch)', `the stored key ${key.keyId} is not the key of certificate ${row.serial}`);
    }

    let ses: Uint8Array | undefined;
    let sesSeal: { esId: string; sealInfoSha256: string } | undefined;
    if (req.sesData) {
      if (signer.signatureAlgorithmOid !== OID.sm2WithSm3) {
        throw ProblemError.badRequest(ProblemCode.validationFailed, 'sesDataToSign', `an SES_Signature is signed with SM2 keys only; certificate ${row.serial} has another key`);
      }
      // ecert's seal makers now (a revoked one makes nothing any more).
      const makers = this.registry.all().filter((c) => c.role === 'seal-maker' && this.registry.usable(c.id)).map((c) => new Uint8Array(c.certificate));
      const tbs = parseTbsSignForSeal(req.sesData, { certificate: new Uint8Array(row.der), makerCertificates: makers, messageDigest: attributes.value.messageDigest, now: new Date() });
      if (!tbs.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, 'sesDataToSign', `a platform-held key signs only the TBS_Sign of a seal of its own certificate over the same document: ${tbs.problem}`);
      // Made by the maker is not enough: a compromised seal-service could have had the maker sign a
      // seal of its own choosing. It must be a seal the maker signed for this certificate, on the record.
      const sealInfoSha256 = createHash('sha256').update(tbs.value.seal.sealInfoDer).digest('hex');
      const provenance = await sealProvenance(this.ds.manager, row, tbs.value.seal.sealInfo.esId, sealInfoSha256);
      if (!provenance.ok) throw ProblemError.badRequest(ProblemCode.validationFailed, 'sesDataToSign', `a platform-held key signs only the TBS_Sign of a seal ecert made for its certificate: ${provenance.problem}`);
      ses = req.sesData;
      sesSeal = { esId: tbs.value.seal.sealInfo.esId, sealInfoSha256 };
    }

    const record = {
      serial: row.serial,
      purpose: req.purpose,
      dataSha256: createHash('sha256').update(req.data).digest('hex'),
      messageDigest: Buffer.from(attributes.value.messageDigest).toString('hex'),
      requestId: ctx?.requestId ?? null,
      clientId: ctx?.clientId ?? null,
      actor: ctx?.actor ?? null,
      gatewayRequest: ctx?.gatewayToken ? createHash('sha256').update(ctx.gatewayToken).digest('hex') : null,
    };
    const signature = await this.ds.transaction(async (m) => {
      const [locked]: { status: CertificateEntity['status']; not_after: Date }[] = await m.query(
        'SELECT status, not_after FROM "cert"."certificate" WHERE serial = $1 FOR SHARE',
        [row.serial],
      );
      assertActive({ ...row, status: locked!.status, notAfter: locked!.not_after }, this.registry);
      const value = await signer.sign(req.data);
      const sesValue = ses ? await signer.sign(ses) : undefined;
      // No record, no signature: a platform-held key is never used off the record.
      await m.insert(PlatformKeyUseEntity, record);
      if (ses) await m.insert(PlatformKeyUseEntity, { ...record, purpose: 'ses-signature', dataSha256: createHash('sha256').update(ses).digest('hex'), ...sesSeal });
      return { value, sesValue };
    });
    this.logger.info({ ...record, contentType: attributes.value.contentType, bytes: req.data.length, sesBytes: ses?.length, keyId: key.keyId }, 'platform-held key signed a document');
    return {
      signature: Buffer.from(signature.value).toString('base64'),
      signatureAlgorithmOid: signer.signatureAlgorithmOid,
      ...(signature.sesValue ? { sesSignature: Buffer.from(signature.sesValue).toString('base64') } : {}),
    };
  }
}

/**
 * The key signs for one gateway request only: the seal-service's document sealing, forwarded to
 * here, of a caller holding documents:seal. Without it the seal-service would be signing documents
 * on its own authority, which it never may.
 */
function assertDocumentSealRequested(): void {
  const ctx = requestContext.getStore();
  if (ctx?.caller !== 'seal-service' || !ctx.gatewayToken || ctx.origin !== 'gateway') {
    throw refusal(403, ProblemCode.forbidden, 'a platform-held key signs only inside a gateway request forwarded by the seal-service', 'purpose');
  }
  // Not any request of a caller who happens to hold documents:seal (a seal list, say) replayed.
  if (ctx.upstreamSubject !== Subjects.seal.documentSeal) {
    throw refusal(403, ProblemCode.forbidden, "a platform-held key signs only for the gateway's document-sealing request", 'purpose');
  }
  if (!ctx.operations?.includes(DOCUMENT_SEAL_OPERATION)) {
    throw refusal(403, ProblemCode.forbidden, `the caller behind this request does not hold '${DOCUMENT_SEAL_OPERATION}'`, 'purpose');
  }
}

function assertActive(row: Pick<CertificateEntity, 'serial' | 'status' | 'notAfter' | 'notBefore' | 'caId'>, registry: CaRegistry): void {
  const status = effectiveStatus(row.status, row.notAfter);
  if (status !== 'active') throw refusal(422, SealProblemCode.certificateNotActive, `certificate ${row.serial} is ${status}`);
  if (row.notBefore.getTime() > Date.now()) throw refusal(422, SealProblemCode.certificateNotActive, `certificate ${row.serial} is not valid before ${row.notBefore.toISOString()}`);
  // Its row stays active when its issuing CA is revoked, but nobody may rely on it any more.
  if (!registry.usable(row.caId)) throw refusal(422, SealProblemCode.certificateNotActive, `the issuing CA ${row.caId} of certificate ${row.serial} is revoked`);
}

interface ValidRequest {
  certificateSerial: string;
  data: Uint8Array;
  sesData?: Uint8Array;
  purpose: PlatformKeySignPurpose;
}

function validate(cmd: PlatformKeySignCommand): ValidRequest {
  const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);
  const serial = typeof cmd?.certificateSerial === 'string' ? cmd.certificateSerial.trim().toLowerCase().replace(/:/g, '') : '';
  if (!SERIAL.test(serial)) throw bad('certificateSerial', 'certificateSerial must be 2-40 hexadecimal digits');
  const text = typeof cmd?.dataToSign === 'string' ? cmd.dataToSign.trim() : '';
  if (!text || text.length % 4 !== 0 || !BASE64.test(text)) throw bad('dataToSign', 'dataToSign must be base64 (of the DER SignedAttributes)');
  if (text.length > Math.ceil(PLATFORM_KEY_SIGN_MAX_BYTES / 3) * 4) throw bad('dataToSign', `dataToSign may hold at most ${PLATFORM_KEY_SIGN_MAX_BYTES} bytes`);
  if (!(PLATFORM_KEY_SIGN_PURPOSES as readonly unknown[]).includes(cmd?.purpose)) throw bad('purpose', `purpose must be one of ${PLATFORM_KEY_SIGN_PURPOSES.join(', ')}`);
  let sesData: Uint8Array | undefined;
  if (cmd.sesDataToSign !== undefined && cmd.sesDataToSign !== null) {
    const ses = typeof cmd.sesDataToSign === 'string' ? cmd.sesDataToSign.trim() : '';
    if (!ses || ses.length % 4 !== 0 || !BASE64.test(ses)) throw bad('sesDataToSign', 'sesDataToSign must be base64 (of the DER TBS_Sign)');
    if (ses.length > Math.ceil(PLATFORM_KEY_SES_MAX_BYTES / 3) * 4) throw bad('sesDataToSign', `sesDataToSign may hold at most ${PLATFORM_KEY_SES_MAX_BYTES} bytes`);
    sesData = new Uint8Array(Buffer.from(ses, 'base64'));
  }
  return { certificateSerial: serialKey(serial), data: new Uint8Array(Buffer.from(text, 'base64')), purpose: cmd.purpose, ...(sesData ? { sesData } : {}) };
}

function refusal(status: number, code: string, detail: string, field = 'certificateSerial'): ProblemError {
  return new ProblemError(status, code, '平台密钥拒绝签名 (platform key refused to sign)', detail, field);
}
