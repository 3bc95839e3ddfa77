import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import type { CertificateEntity } from '../certificates/certificate.entity';
import { UkeyEntity } from './ukey.entity';
import { applicationIdOf, bad, ukeyNotFound, ukeySerialOf } from './ukey-input';
import { assertUkeyInScope } from './ukey-scope';
import { lockUkey, recordUkeyStep } from './ukey-steps';

/** The UKey a certificate is issued onto, for the application it is produced for. */
export interface MediumRef {
  ukeySerial: string;
  applicationId: string;
}

/** The UKey named by an issuance command, or undefined; a 400 naming the field for bad input. */
export function mediumOf(cmd: { ukeySerial?: unknown; applicationId?: unknown }): MediumRef | undefined {
  const hasKey = cmd.ukeySerial !== undefined && cmd.ukeySerial !== null;
  const hasApp = cmd.applicationId !== undefined && cmd.applicationId !== null;
  if (!hasKey && !hasApp) return undefined;
  // Onto a UKey only as a step of an application the workflow-service carries out: any other caller
  // could put a certificate onto a key in stock (and learn nothing of its application) at will.
  if (requestContext.getStore()?.caller !== 'workflow-service') {
    throw new ProblemError(403, ProblemCode.forbidden, '须经申请办理 (through an application only)', 'a certificate is issued onto a UKey only by carrying out an approved application', 'ukeySerial');
  }
  if (!hasKey) throw bad('ukeySerial', 'applicationId is given with the ukeySerial of the UKey the certificate goes onto');
  const ukeySerial = ukeySerialOf(cmd.ukeySerial, 'ukeySerial');
  if (!hasApp) throw bad('applicationId', 'a certificate is issued onto a UKey for an application: applicationId is required with ukeySerial');
  return { ukeySerial, applicationId: applicationIdOf(cmd.applicationId) };
}

const ISSUABLE = ['in_stock', 'assigned', 'initialised'] as const;

/**
 * Issuance links the medium: the UKey must be assigned to the application (or in stock: it is
 * assigned now), hold no other unit's certificates, and be in the caller's scope; the certificate
 * row names it and the UKey becomes initialised, all in the issuance's transaction. A further
 * certificate of the same application (a second one, a personal one) goes onto an initialised key.
 */
@Injectable()
export class UkeyMedium {
  /** Before signing: a refusal costs no signature (checked again, locked, in the transaction). */
  async precheck(m: EntityManager, ref: MediumRef, unit: { uscc: string; accountNo: string }): Promise<void> {
    check(await m.findOneBy(UkeyEntity, { serial: ref.ukeySerial }), ref, unit);
  }

  /** Locks the UKey for the issuance's transaction and checks it again. */
  async reserve(m: EntityManager, ref: MediumRef, unit: { uscc: string; accountNo: string }): Promise<UkeyEntity> {
    return check(await lockUkey(m, ref.ukeySerial), ref, unit);
  }

  /** After the certificate row (naming the UKey) is inserted: assign if needed, then initialise. */
  async recordIssued(m: EntityManager, u: UkeyEntity, ref: MediumRef, cert: CertificateEntity): Promise<void> {
    if (u.state === 'in_stock') {
      u.applicationId = ref.applicationId;
      u.state = 'assigned';
      await recordUkeyStep(m, u, { action: 'assign', from: 'in_stock', detail: { applicationId: ref.applicationId, by: 'issuance' } });
    }
    if (!u.uscc) {
      u.uscc = cert.uscc;
      u.accountNo = cert.accountNo;
      u.regionCode = cert.regionCode;
    }
    if (u.state === 'assigned') {
      u.state = 'initialised';
      await recordUkeyStep(m, u, { action: 'initialise', from: 'assigned', detail: { certificateSerial: cert.serial } });
    } else {
      await m.save(UkeyEntity, u);
    }
  }
}

function check(u: UkeyEntity | null, ref: MediumRef, unit: { uscc: string; accountNo: string }): UkeyEntity {
  if (!u) throw ukeyNotFound(ref.ukeySerial, 'ukeySerial');
  assertUkeyInScope(u);
  if (!(ISSUABLE as readonly string[]).includes(u.state)) {
    throw new ProblemError(409, ProblemCode.ukeyStateConflict, '状态冲突 (conflict)', `UKey ${u.serial} is ${u.state}: certificates are written onto a UKey in stock or assigned to their application`, 'ukeySerial', {
      state: u.state,
      allowed: [...ISSUABLE],
    });
  }
  if (u.state !== 'in_stock' && u.applicationId !== ref.applicationId) {
    throw new ProblemError(409, ProblemCode.ukeyApplicationMismatch, '状态冲突 (conflict)', `UKey ${u.serial} is assigned to another application than ${ref.applicationId}`, 'applicationId');
  }
  if (u.uscc && (u.uscc !== unit.uscc || u.accountNo !== unit.accountNo)) {
    throw new ProblemError(409, ProblemCode.ukeyUnitMismatch, '状态冲突 (conflict)', `UKey ${u.serial} holds the certificates of another unit or account`, 'ukeySerial');
  }
  return u;
}
