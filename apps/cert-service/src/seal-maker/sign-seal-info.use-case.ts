import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { assertInScope, ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { SEAL_KIND_PROFILE, SEAL_TYPE_CODES, SealProblemCode, Subjects, type SealMakerSignCommand, type SealMakerSignReply } from '@ecert/contracts';
import { DATA_SOURCE, LOGGER } from '@ecert/messaging';
import { effectiveStatus, serialKey } from '@ecert/pki';
import { decodeSealInfoV4, SesError, type SesSealInfo } from '@ecert/ses';
import { CaRegistry } from '../ca/ca-registry.service';
import { caId } from '../ca/ca-naming';
import { CertificateEntity } from '../certificates/certificate.entity';
import { SealMakerSignatureEntity } from './seal-maker-signature.entity';
import { sealInfoProblem } from './seal-info-problem';
import { earlierSealOf } from './seal-provenance';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERIAL = /^[0-9a-f]{2,40}$/;
const PURPOSES = ['create', 'renewal'] as const;

/** Type codes of seals that bind a personal certificate (position, personal); all others bind a unit's. */
const PERSONAL_TYPE_CODES = new Set(
  Object.entries(SEAL_TYPE_CODES)
    .filter(([kind]) => SEAL_KIND_PROFILE[kind.split(':')[0] as keyof typeof SEAL_KIND_PROFILE] === 'personal')
    .map(([, code]) => code as number),
);

/**
 * 制章者签名: the seal maker signs a seal's DER(SES_SealInfo) only when the seal binds exactly one
 * certificate, that certificate is byte for byte one ecert issued, it is active (or frozen, for a
 * renewal's successor, which is made suspended) and in the
 * caller's region scope, it belongs to the unit (USCC, account) the request names and its profile
 * fits the seal type, and the esID is the seal id named. A new seal ('create') is signed only
 * inside a gateway request whose caller holds seals:create: the seal-service acting on its own
 * (an event) only re-makes existing seals for a renewal — of a certificate that replaces one the
 * maker made a seal for. Every signature is recorded
 * (seal_maker_signature) and logged; a signature whose record cannot be written is not returned.
 */
@Injectable()
export class SignSealInfoUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
  ) {}

  async execute(cmd: SealMakerSignCommand): Promise<SealMakerSignReply> {
    const req = validate(cmd);
    if (req.purpose === 'create') assertCreateRequested();
    const info = decodeInfo(req.data);
    const bound = boundCertificate(info, req);

    const row = await this.ds.getRepository(CertificateEntity).findOneBy({ serial: req.certificateSerial });
    if (!row) throw refusal(422, SealProblemCode.certificateNotFound, 'certificateSerial', `No certificate with serial ${req.certificateSerial}`);
    assertInScope(requestContext.getStore(), row.regionCode, `certificate ${row.serial}`);
    if (!Buffer.from(row.der).equals(Buffer.from(bound))) {
      throw refusal(422, SealProblemCode.bindingInvalid, 'data', `the certificate in the seal's certList is not certificate ${row.serial} as ecert issued it`);
    }
    const status = effectiveStatus(row.status, row.notAfter);
    // A renewal's successor for a certificate frozen meanwhile is made suspended, as its
    // predecessor would be; a new seal needs an active certificate.
    const allowed = req.purpose === 'renewal' ? ['active', 'frozen'] : ['active'];
    if (!allowed.includes(status)) throw refusal(422, SealProblemCode.certificateNotActive, 'certificateSerial', `certificate ${row.serial} is ${status}`);
    // Its row stays active when its issuing CA is revoked, but nobody may rely on it any more.
    if (!this.registry.usable(row.caId)) throw refusal(422, SealProblemCode.certificateNotActive, 'certificateSerial', `the issuing CA ${row.caId} of certificate ${row.serial} is revoked`);
    if (row.uscc !== req.uscc) throw refusal(422, SealProblemCode.bindingInvalid, 'uscc', `certificate ${row.serial} belongs to another unit than ${req.uscc}`);
    if (row.accountNo !== req.accountNo) {
      throw refusal(422, SealProblemCode.bindingInvalid, 'accountNo', `certificate ${row.serial} belongs to another account than ${req.accountNo}`);
    }
    // A renewal re-makes a seal that exists: the certificate must replace one the maker already
    // made a seal for. Otherwise 'renewal' would be a way to have any seal made without a request.
    if (req.purpose === 'renewal') {
      if (!row.replaces) throw refusal(422, SealProblemCode.bindingInvalid, 'purpose', `certificate ${row.serial} renews no certificate: a renewal's successor seal needs one`);
      if (!(await earlierSealOf(this.ds.manager, row.replaces))) throw refusal(422, SealProblemCode.bindingInvalid, 'purpose', `the certificate ${row.replaces} that ${row.serial} renews had no seal made: there is nothing to renew`);
    }
    const wanted = PERSONAL_TYPE_CODES.has(info.property.type) ? 'personal' : 'unit';
    if (row.profile !== wanted) {
      throw refusal(422, SealProblemCode.bindingInvalid, 'data', `a seal of type ${info.property.type} binds a ${wanted} certificate; ${row.serial} is a ${row.profile} certificate`);
    }

    const id = caId('sm2', 'seal-maker');
    const maker = this.registry.get(id);
    const signer = await this.registry.signer(id);
    const signature = await signer.sign(req.data);
    const ctx = requestContext.getStore();
    const record = {
      sealId: req.sealId,
      esId: info.esId,
      certificateSerial: row.serial,
      uscc: row.uscc,
      accountNo: row.accountNo,
      purpose: req.purpose,
      makerCaId: id,
      makerSerial: maker.serial,
      sealInfoSha256: createHash('sha256').update(req.data).digest('hex'),
      requestId: ctx?.requestId ?? null,
      clientId: ctx?.clientId ?? null,
      actor: ctx?.actor ?? null,
      gatewayRequest: req.purpose === 'create' && ctx?.gatewayToken ? createHash('sha256').update(ctx.gatewayToken).digest('hex') : null,
    };
    // No record, no signature: the maker key must not be usable off the record.
    await this.ds
      .getRepository(SealMakerSignatureEntity)
      .insert(record)
      .catch((e: { code?: string; constraint?: string; driverError?: { constraint?: string } }) => {
        if (e.code === '23505' || (e as { driverError?: { code?: string } }).driverError?.code === '23505') {
          throw refusal(409, ProblemCode.concurrentModification, 'sealId', 'this seal-creation request was signed once already: one request, one seal');
        }
        throw e;
      });
    this.logger.info({ ...record, bytes: req.data.length }, 'seal maker signed a SES_SealInfo');
    return {
      signature: Buffer.from(signature).toString('base64'),
      signatureAlgorithmOid: signer.signatureAlgorithmOid,
      certificate: maker.certificate.toString('base64'),
      chain: this.registry
        .chain(id)
        .slice(1)
        .map((ca) => ca.certificate.toString('base64')),
    };
  }
}

/**
 * A new seal needs someone who asked for it: the gateway's forwarded context, with seals:create, or
 * the workflow-service's seal.create command of an approved application.
 * Without it the seal-service would be making seals on its own authority (national scope), which
 * it never needs to: events only renew seals that exist.
 */
function assertCreateRequested(): void {
  const ctx = requestContext.getStore();
  if (!ctx?.gatewayToken) {
    throw refusal(403, ProblemCode.forbidden, 'purpose', "a new seal ('create') is signed only inside a gateway request; the seal-service on its own may only renew seals");
  }
  // The forwarded token must be the gateway's seal-creation request itself, not any request of a
  // caller who happens to hold seals:create (a seal list, say) replayed by the seal-service.
  if (ctx.upstreamSubject !== Subjects.seal.create) {
    throw refusal(403, ProblemCode.forbidden, 'purpose', "a new seal ('create') is signed only for the gateway's seal-creation request");
  }
  // The workflow-service carries out an approved application on its own authority (it checked the tiers).
  if (ctx.origin !== 'workflow-service' && !ctx.operations?.includes('seals:create')) {
    throw refusal(403, ProblemCode.forbidden, 'purpose', "the caller behind this request does not hold 'seals:create'");
  }
}

interface ValidRequest {
  data: Uint8Array;
  sealId: string;
  certificateSerial: string;
  uscc: string;
  accountNo: string;
  purpose: (typeof PURPOSES)[number];
}

function validate(cmd: SealMakerSignCommand): ValidRequest {
  const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const data = new Uint8Array(Buffer.from(text(cmd?.data), 'base64'));
  const problem = sealInfoProblem(data);
  if (problem) throw bad('data', `the seal maker signs only a DER SES_SealInfo v4: ${problem}`);
  const sealId = text(cmd?.sealId).toLowerCase();
  if (!UUID.test(sealId)) throw bad('sealId', 'sealId must be the UUID of the seal being made');
  const serial = text(cmd?.certificateSerial).toLowerCase().replace(/:/g, '');
  if (!SERIAL.test(serial)) throw bad('certificateSerial', 'certificateSerial must be 2-40 hexadecimal digits');
  const uscc = text(cmd?.uscc);
  if (!uscc) throw bad('uscc', 'uscc (the unit the seal is made for) is required');
  const accountNo = text(cmd?.accountNo);
  if (!accountNo) throw bad('accountNo', 'accountNo (the unit account the seal is made for) is required');
  const purpose = cmd?.purpose;
  if (!PURPOSES.includes(purpose)) throw bad('purpose', `purpose must be one of ${PURPOSES.join(', ')}`);
  return { data, sealId, certificateSerial: serialKey(serial), uscc, accountNo, purpose };
}

function decodeInfo(data: Uint8Array): SesSealInfo {
  try {
    return decodeSealInfoV4(data);
  } catch (e) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'data', `not a clean SES_SealInfo v4: ${e instanceof SesError ? e.message : (e as Error).message}`);
  }
}

/** The one certificate the seal binds (certList type 1 with one entry), for the seal id named. */
function boundCertificate(info: SesSealInfo, req: ValidRequest): Uint8Array {
  if (info.esId !== req.sealId.replace(/-/g, '')) throw ProblemError.badRequest(ProblemCode.validationFailed, 'sealId', `the seal's esID ${info.esId} is not seal ${req.sealId}`);
  const list = info.property.certList;
  if (list.type !== 1 || list.certs.length !== 1 || list.foreignEntries?.length) {
    throw ProblemError.badRequest(ProblemCode.validationFailed, 'data', "the seal's certList must hold exactly one certificate (the bound one)");
  }
  return list.certs[0]!;
}

function refusal(status: number, code: string, field: string, detail: string): ProblemError {
  return new ProblemError(status, code, '制章者拒绝签名 (seal maker refused)', detail, field);
}
