import { maskPhone, maskResidentId, ProblemCode, ProblemError, validateEmail, validatePhone, validateRegionCode, validateResidentId, validateUscc } from '@ecert/common';
import {
  APPLICATION_CHANNELS,
  CHANGE_KINDS,
  REVOCATION_CAUSES,
  SEAL_KIND_PROFILE,
  SEAL_KINDS,
  SEAL_PURPOSES,
  SERVICE_TYPES,
  type ApplicantHandler,
  type ApplicantUnit,
  type ApplicationChannel,
  type ChangeKind,
  type CreateApplicationCommand,
  type RequestedSeal,
  type RevocationCause,
  type ServiceType,
} from '@ecert/contracts';
import { UKEY_SERIAL_PATTERN } from '@ecert/pki';
import { channelsOf } from './service-routes';

/** A create command as the workflow-service keeps it: every field checked and in canonical form. */
export interface ValidApplication {
  type: ServiceType;
  channel: ApplicationChannel;
  unit: ApplicantUnit;
  handler: ApplicantHandler & { idNumberMasked: string; phoneMasked: string };
  seals: RequestedSeal[];
  targetSerial?: string;
  targetUkeySerial?: string;
  justification?: string;
  changes?: ChangeKind[];
  revocationCause?: RevocationCause;
  statement?: string;
  damageNotUserCaused?: boolean;
}

const bad = (field: string, detail: string) => ProblemError.badRequest(ProblemCode.validationFailed, field, detail);

const TARGETED: ReadonlySet<ServiceType> = new Set(['renew', 'change', 'report_loss', 'restore', 'reissue', 'revoke', 'unlock', 'medium_replacement']);
const WITH_SEALS: ReadonlySet<ServiceType> = new Set(['apply', 'additional', 'change', 'reissue', 'medium_replacement']);
const ALLOWED_FIELDS = new Set(['type', 'channel', 'unit', 'handler', 'seals', 'targetSerial', 'targetUkeySerial', 'justification', 'changes', 'revocationCause', 'statement', 'damageNotUserCaused', 'idempotencyKey']);

function text(v: unknown, field: string, max: number, opts: { min?: number; required?: boolean } = {}): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw bad(field, `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw bad(field, `${field} must be a string`);
  const s = v.normalize('NFKC').trim();
  // Control characters have no place in a name or an address and break printed forms.
  if (/[\u0000-\u001f\u007f]/.test(s)) throw bad(field, `${field} must not contain control characters`);
  if (s.length < (opts.min ?? 1) || s.length > max) throw bad(field, `${field} must be ${opts.min ?? 1}-${max} characters`);
  return s;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(field, `${field} must be an object`);
  return v as Record<string, unknown>;
}

function onlyFields(o: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(`${prefix}.${k}`, `${prefix}.${k} is not a known field`);
}

const SERIAL = /^[0-9A-Fa-f]{1,64}$/;

/**
 * Checks a create command against the national code standards and the seeds' rules that need no
 * other data (one official seal by default, a justification for an additional certificate, a
 * revocation cause, the warranty statement). Runs in the workflow-service: the gateway checks too,
 * but a service never trusts its caller.
 */
export function validateCreateApplication(input: unknown): ValidApplication {
  const cmd = object(input, 'body') as Partial<CreateApplicationCommand> & Record<string, unknown>;
  for (const k of Object.keys(cmd)) if (!ALLOWED_FIELDS.has(k)) throw bad(k, `${k} is not a known field`);
  const type = cmd.type;
  if (!(SERVICE_TYPES as readonly unknown[]).includes(type)) throw bad('type', `type must be one of ${SERVICE_TYPES.join(', ')}`);
  const t = type as ServiceType;
  const channel = (cmd.channel ?? 'on_site') as ApplicationChannel;
  if (!(APPLICATION_CHANNELS as readonly unknown[]).includes(channel)) throw bad('channel', `channel must be one of ${APPLICATION_CHANNELS.join(', ')}`);
  if (!channelsOf(t).includes(channel)) throw bad('channel', `${t} is handled ${channelsOf(t).join(' or ')}, not ${channel}`);

  const u = object(cmd.unit, 'unit');
  onlyFields(u, ['name', 'address', 'postalCode', 'uscc', 'regionCode', 'accountNo'], 'unit');
  const uscc = validateUscc(u.uscc);
  if (!uscc.ok) throw bad('unit.uscc', uscc.message);
  const region = validateRegionCode(u.regionCode);
  if (!region.ok) throw bad('unit.regionCode', region.message);
  const postalCode = text(u.postalCode, 'unit.postalCode', 6, { required: true })!;
  if (!/^\d{6}$/.test(postalCode)) throw bad('unit.postalCode', 'postal code must be 6 digits');
  const accountNo = text(u.accountNo, 'unit.accountNo', 32, { required: true })!;
  if (!/^[0-9A-Za-z-]{1,32}$/.test(accountNo)) throw bad('unit.accountNo', 'social-insurance account number must be 1-32 letters, digits or hyphens');
  const unit: ApplicantUnit = {
    name: text(u.name, 'unit.name', 128, { required: true })!,
    address: text(u.address, 'unit.address', 256, { required: true })!,
    postalCode,
    uscc: uscc.value,
    regionCode: region.value,
    accountNo,
  };

  const h = object(cmd.handler, 'handler');
  onlyFields(h, ['name', 'idNumber', 'phone', 'email'], 'handler');
  const id = validateResidentId(h.idNumber);
  if (!id.ok) throw bad('handler.idNumber', id.message);
  const phone = validatePhone(h.phone);
  if (!phone.ok) throw bad('handler.phone', phone.message);
  const email = validateEmail(h.email);
  if (!email.ok) throw bad('handler.email', email.message);
  const handler = {
    name: text(h.name, 'handler.name', 64, { required: true })!,
    idNumber: id.value,
    phone: phone.value,
    email: email.value,
    idNumberMasked: maskResidentId(id.value),
    phoneMasked: maskPhone(phone.value),
  };

  const seals = validateSeals(cmd.seals, t);
  const out: ValidApplication = { type: t, channel, unit, handler, seals };

  if (TARGETED.has(t)) {
    const serial = text(cmd.targetSerial, 'targetSerial', 64, { required: true })!;
    if (!SERIAL.test(serial)) throw bad('targetSerial', 'targetSerial must be the certificate serial in hex');
    out.targetSerial = serial.toLowerCase();
  } else if (cmd.targetSerial !== undefined) {
    throw bad('targetSerial', `a ${t} application is not about an existing certificate`);
  }
  const ukey = text(cmd.targetUkeySerial, 'targetUkeySerial', 64);
  if (ukey !== undefined) {
    if (!UKEY_SERIAL_PATTERN.test(ukey)) throw bad('targetUkeySerial', 'targetUkeySerial must be 4-64 letters, digits or hyphens');
    out.targetUkeySerial = ukey;
  }

  const justification = text(cmd.justification, 'justification', 1000, { min: 10 });
  if (t === 'additional') {
    if (!justification) throw bad('justification', '申请第二/三/四张证书需说明理由 (第九条) / an additional certificate needs a justification of at least 10 characters');
    out.justification = justification;
  } else if (justification !== undefined) throw bad('justification', 'justification is only for an additional certificate');

  if (t === 'change') {
    if (!Array.isArray(cmd.changes) || cmd.changes.length === 0) throw bad('changes', `a change names what changed: ${CHANGE_KINDS.join(', ')}`);
    const seen = new Set<ChangeKind>();
    cmd.changes.forEach((c, i) => {
      if (!(CHANGE_KINDS as readonly unknown[]).includes(c)) throw bad(`changes[${i}]`, `changes must be among ${CHANGE_KINDS.join(', ')}`);
      seen.add(c as ChangeKind);
    });
    out.changes = [...seen];
  } else if (cmd.changes !== undefined) throw bad('changes', 'changes are only for a change');

  if (t === 'revoke') {
    if (!(REVOCATION_CAUSES as readonly unknown[]).includes(cmd.revocationCause)) throw bad('revocationCause', `a revocation states its cause (第十九条): ${REVOCATION_CAUSES.join(', ')}`);
    out.revocationCause = cmd.revocationCause as RevocationCause;
  } else if (cmd.revocationCause !== undefined) throw bad('revocationCause', 'revocationCause is only for a revocation');

  const statement = text(cmd.statement, 'statement', 2000);
  if ((t === 'report_loss' || t === 'reissue' || t === 'medium_replacement') && !statement) {
    throw bad('statement', `a ${t} needs the handler's statement of what happened`);
  }
  if (statement) out.statement = statement;

  if (t === 'medium_replacement') {
    // 第十八条: only damage not caused by the user is replaced under warranty.
    if (cmd.damageNotUserCaused !== true) throw bad('damageNotUserCaused', '质保期内非人为损坏方可更换 / replacement under warranty is only for damage not caused by the user: set damageNotUserCaused to true');
    out.damageNotUserCaused = true;
  } else if (cmd.damageNotUserCaused !== undefined) throw bad('damageNotUserCaused', 'damageNotUserCaused is only for a medium replacement');
  return out;
}

function validateSeals(input: unknown, type: ServiceType): RequestedSeal[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw bad('seals', 'seals must be a list');
  if (input.length > 0 && !WITH_SEALS.has(type)) throw bad('seals', `a ${type} makes no seals`);
  if (input.length > 8) throw bad('seals', 'at most 8 seals per application');
  const seals = input.map((raw, i): RequestedSeal => {
    const s = object(raw, `seals[${i}]`);
    onlyFields(s, ['kind', 'purpose', 'name', 'widthMm', 'heightMm'], `seals[${i}]`);
    if (!(SEAL_KINDS as readonly unknown[]).includes(s.kind)) throw bad(`seals[${i}].kind`, `kind must be one of ${SEAL_KINDS.join(', ')}`);
    const kind = s.kind as RequestedSeal['kind'];
    // Applications make the unit's certificate; seals bound to a person's certificate are not made here.
    if (SEAL_KIND_PROFILE[kind] !== 'unit') throw bad(`seals[${i}].kind`, `a ${kind} seal binds to a personal certificate; applications make unit certificates and their seals`);
    const seal: RequestedSeal = { kind, name: text(s.name, `seals[${i}].name`, 64, { required: true })! };
    if (kind === 'special') {
      if (!(SEAL_PURPOSES as readonly unknown[]).includes(s.purpose)) throw bad(`seals[${i}].purpose`, `a special seal names its purpose: ${SEAL_PURPOSES.join(', ')}`);
      seal.purpose = s.purpose as RequestedSeal['purpose'];
    } else if (s.purpose !== undefined) throw bad(`seals[${i}].purpose`, 'purpose is only for a special seal');
    for (const dim of ['widthMm', 'heightMm'] as const) {
      const v = s[dim];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 10 || v > 60) throw bad(`seals[${i}].${dim}`, `${dim} must be 10-60 mm`);
      seal[dim] = v;
    }
    return seal;
  });
  // 第九条 / 办理流程 一: one official seal per unit by default; more only as an additional application.
  const official = seals.filter((s) => s.kind === 'official').length;
  if (official > 1) throw bad('seals', 'one official seal per application (第九条); a further one is an additional application');
  return seals;
}
