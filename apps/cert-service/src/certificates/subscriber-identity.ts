import { ProblemCode, ProblemError, validateRegionCode, validateResidentId, validateUscc, maskResidentId } from '@ecert/common';
import type { IssueCertificateCommand } from '@ecert/contracts';

export interface SubscriberIdentity {
  profile: 'unit' | 'personal';
  unitName: string;
  uscc: string;
  accountNo: string;
  regionCode: string;
  province: string;
  city: string;
  personName?: string;
  /** The resident ID in clear: in memory only, from the request (or a clear-mode certificate). */
  idNumber?: string;
  idNumberMasked?: string;
  /** Salted hash of the ID as stored: what a renewal has when the number itself is kept nowhere. */
  idNumberHash?: string;
}

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);
const NAME_MAX = 128;

/**
 * The identity a certificate will assert, checked against the national code standards. Runs in
 * the cert-service even though the gateway validates too: a service never trusts its caller.
 */
export function validateSubscriberIdentity(cmd: Pick<IssueCertificateCommand, 'profile' | 'unit' | 'person'>): SubscriberIdentity {
  if (cmd.profile !== 'unit' && cmd.profile !== 'personal') throw bad('profile', "profile must be 'unit' or 'personal'");
  const unit = cmd.unit;
  if (!unit || typeof unit !== 'object') throw bad('unit', 'unit is required');
  const unitName = typeof unit.name === 'string' ? unit.name.normalize('NFKC').trim() : '';
  if (!unitName || unitName.length > NAME_MAX) throw bad('unit.name', `unit name must be 1-${NAME_MAX} characters`);
  const uscc = validateUscc(unit.uscc);
  if (!uscc.ok) throw bad('unit.uscc', uscc.message);
  const region = validateRegionCode(unit.regionCode);
  if (!region.ok) throw bad('unit.regionCode', region.message);
  const accountNo = typeof unit.accountNo === 'string' ? unit.accountNo.trim() : '';
  if (!/^[0-9A-Za-z-]{1,32}$/.test(accountNo)) throw bad('unit.accountNo', 'social-insurance account number must be 1-32 letters, digits or hyphens');
  const r = region.parts;
  const identity: SubscriberIdentity = {
    profile: cmd.profile,
    unitName,
    uscc: uscc.value,
    accountNo,
    regionCode: r.code,
    province: r.provinceName,
    // Municipalities and province-administered counties have no prefecture: the most specific name stands in.
    city: r.cityName ?? r.countyName ?? r.provinceName,
  };
  if (cmd.profile === 'personal') {
    const person = cmd.person;
    if (!person || typeof person !== 'object') throw bad('person', 'person is required for a personal certificate');
    const name = typeof person.name === 'string' ? person.name.normalize('NFKC').trim() : '';
    if (!name || name.length > 64) throw bad('person.name', 'person name must be 1-64 characters');
    const id = validateResidentId(person.idNumber);
    if (!id.ok) throw bad('person.idNumber', id.message);
    identity.personName = name;
    identity.idNumber = id.value;
    identity.idNumberMasked = maskResidentId(id.value);
  } else if (cmd.person !== undefined) {
    throw bad('person', 'person is only allowed for a personal certificate');
  }
  return identity;
}
