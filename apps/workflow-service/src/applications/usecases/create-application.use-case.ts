import { createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { assertInScope, ProblemCode, ProblemError, type EcertConfig } from '@ecert/common';
import { Subjects, type ApplicationView, type CertificateView, type CreateApplicationCommand, type Page, type SealView, type UkeyView } from '@ecert/contracts';
import { CONFIG, DATA_SOURCE } from '@ecert/messaging';
import { MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT } from '@ecert/pki';
import { endOfShanghaiDay, shanghaiDate, workingDaysBetween, routeOf, validateCreateApplication, type ValidApplication } from '@ecert/workflow';
import { ApplicationEntity } from '../entities/application.entity';
import { actorRef, currentActor } from '../application-actor';
import { journal } from '../application-journal';
import { ApplicationViewMapper } from '../application-view.mapper';
import { WorkflowBusClient } from '../workflow-bus.client';
import { WorkingCalendarProvider } from '../../sla/working-calendar.provider';

/** 第十七条: a renewal is filed within the 20 working days before the certificate expires. */
export const RENEWAL_WINDOW_WORKING_DAYS = 20;
/** 办理流程 二(五): the UKey's warranty runs one year from issue. */
const WARRANTY_MS = 365 * 24 * 3600 * 1000;

const unprocessable = (code: string, field: string, detail: string) => new ProblemError(422, code, '申请不符合办理条件 (application not admissible)', detail, field);

/** The handler's resident ID as kept: a keyed hash, compared again at collection. */
export function handlerIdHash(config: EcertConfig, idNumber: string): string {
  return createHmac('sha256', config.ECERT_PERSONAL_ID_SALT).update(`application-handler:${idNumber}`).digest('hex');
}

/**
 * 受理表 as data: a business system or an acceptor files an application for a unit. It is a draft
 * until submitted with its materials. The seeds' rules that need the certificates as they are now
 * (one certificate per account by default, the renewal window, the warranty, the target's state
 * and owner) are checked here against the cert-service, in the caller's own scope.
 */
@Injectable()
export class CreateApplicationUseCase {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: EcertConfig,
    private readonly bus: WorkflowBusClient,
    private readonly views: ApplicationViewMapper,
    private readonly calendar: WorkingCalendarProvider,
  ) {}

  async execute(cmd: CreateApplicationCommand): Promise<ApplicationView> {
    const actor = currentActor();
    const v = validateCreateApplication(cmd);
    assertInScope({ regions: [...actor.regions] }, v.unit.regionCode, `unit ${v.unit.uscc}`);
    const route = routeOf(v.type, v.channel)!;
    await this.checkAgainstCertificates(v);
    const now = new Date();
    const app = this.ds.manager.create(ApplicationEntity, {
      id: randomUUID(),
      type: v.type,
      channel: v.channel,
      status: 'draft',
      tier: null,
      route: [...route.tiers],
      uscc: v.unit.uscc,
      accountNo: v.unit.accountNo,
      regionCode: v.unit.regionCode,
      unit: v.unit,
      handler: { name: v.handler.name, idNumberMasked: v.handler.idNumberMasked, phone: v.handler.phone, phoneMasked: v.handler.phoneMasked, email: v.handler.email },
      handlerIdHash: handlerIdHash(this.config, v.handler.idNumber),
      seals: v.seals,
      targetSerial: v.targetSerial ?? null,
      targetUkeySerial: v.targetUkeySerial ?? null,
      details: {
        ...(v.justification ? { justification: v.justification } : {}),
        ...(v.changes ? { changes: v.changes } : {}),
        ...(v.revocationCause ? { revocationCause: v.revocationCause } : {}),
        ...(v.statement ? { statement: v.statement } : {}),
        ...(v.damageNotUserCaused ? { damageNotUserCaused: true } : {}),
      },
      filedByClient: actor.clientId ?? null,
      filedByStaff: actor.staffId ?? null,
      filedByRole: actor.role ?? null,
      limitWorkingDays: route.limitWorkingDays,
      acceptedAt: null,
      tierEnteredAt: null,
      dueAt: null,
      stepDueAt: null,
      pauses: [],
      closedAt: null,
      production: null,
      results: {},
      attention: null,
      rejection: null,
      returned: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    return this.ds.transaction(async (m) => {
      await m.insert(ApplicationEntity, app);
      await journal(m, app, 'filed', actorRef(actor), { type: app.type, channel: app.channel });
      return this.views.load(m, app);
    });
  }

  private async checkAgainstCertificates(v: ValidApplication): Promise<void> {
    if (v.type === 'apply' || v.type === 'additional') {
      // Nationally, not in the filer's scope: a unit's certificates filed under another region are
      // still its certificates (one per account, 第九条), and another region may not file for it.
      const page = await this.bus.asService(`create-${v.unit.uscc}`, () => this.bus.listCertificates(v.unit.uscc));
      const elsewhere = page.items.find((c) => c.unit.accountNo === v.unit.accountNo && c.unit.regionCode !== v.unit.regionCode && (c.status === 'active' || c.status === 'frozen'));
      if (elsewhere) {
        throw unprocessable('unit_held_elsewhere', 'unit.regionCode', `account ${v.unit.accountNo} of ${v.unit.uscc} holds certificates of region ${elsewhere.unit.regionCode}; its applications are filed there`);
      }
      const held = page.items.filter((c) => c.unit.accountNo === v.unit.accountNo && (c.status === 'active' || c.status === 'frozen'));
      if (v.type === 'apply' && held.length > 0) {
        throw new ProblemError(409, 'certificate_already_held', '该账户已有证书 (certificate already held)', `account ${v.unit.accountNo} of ${v.unit.uscc} already holds certificate ${held[0]!.serial}; one certificate per account by default, more only as an additional application with a reason (第九条)`, 'unit.accountNo');
      }
      // One official seal per unit (the USCC, whatever the account): a second is an additional application.
      if (v.type === 'apply' && v.seals.some((s) => s.kind === 'official')) {
        const seals = await this.bus.asService(`create-${v.unit.uscc}-seals`, () => this.bus.call<Page<SealView>>(Subjects.seal.list, { uscc: v.unit.uscc, kind: 'official', status: 'active', pageSize: 1 }));
        if (seals.items.length > 0) {
          throw new ProblemError(409, 'official_seal_exists', '单位已有法定名称章 (official seal exists)', `unit ${v.unit.uscc} already has an official seal (${seals.items[0]!.id}); a further one is an additional application with a reason (第九条)`, 'seals');
        }
      }
      if (v.type === 'additional' && held.length >= MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT) {
        throw ProblemError.conflict(ProblemCode.certificateLimitReached, `account ${v.unit.accountNo} already holds ${held.length} certificates (limit ${MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT})`);
      }
      return;
    }
    const cert = await this.target(v.targetSerial!);
    if (cert.unit.uscc !== v.unit.uscc || cert.unit.accountNo !== v.unit.accountNo) {
      throw unprocessable('target_not_of_unit', 'targetSerial', `certificate ${cert.serial} is not a certificate of account ${v.unit.accountNo} of ${v.unit.uscc}`);
    }
    // What a lifecycle application is about is the certificate as it is: the unit's name and region
    // come from it, never from the form. Only a change may change the name (第十七条), and only
    // when it says the name changed; the region never moves with an application.
    if (cert.unit.regionCode !== v.unit.regionCode) {
      throw unprocessable('target_region_mismatch', 'unit.regionCode', `certificate ${cert.serial} is of region ${cert.unit.regionCode}, not ${v.unit.regionCode}`);
    }
    const renamed = cert.unit.name !== v.unit.name;
    if (renamed && !(v.type === 'change' && v.changes?.includes('name'))) {
      throw unprocessable('target_name_mismatch', 'unit.name', `certificate ${cert.serial} is of ${cert.unit.name}; a new name is filed as a change of name`);
    }
    if (!renamed && v.type === 'change' && v.changes?.includes('name')) {
      throw unprocessable('target_name_unchanged', 'unit.name', `a change of name states the new name; ${cert.unit.name} is the certificate's name already`);
    }
    // The UKey is the one the certificate is on, whatever the form says.
    if (cert.ukeySerial) {
      if (v.targetUkeySerial && v.targetUkeySerial !== cert.ukeySerial) {
        throw unprocessable('target_ukey_mismatch', 'targetUkeySerial', `certificate ${cert.serial} is on UKey ${cert.ukeySerial}, not ${v.targetUkeySerial}`);
      }
      v.targetUkeySerial = cert.ukeySerial;
    } else if (v.targetUkeySerial) {
      throw unprocessable('target_ukey_mismatch', 'targetUkeySerial', `certificate ${cert.serial} is on no UKey the platform knows`);
    }
    if (cert.profile !== 'unit') throw unprocessable('target_not_unit_certificate', 'targetSerial', `certificate ${cert.serial} is a personal certificate; applications handle unit certificates`);
    const allowed: Record<string, readonly string[]> = {
      renew: ['active'],
      change: ['active', 'frozen'],
      report_loss: ['active'],
      restore: ['frozen'],
      reissue: ['active', 'frozen'],
      revoke: ['active', 'frozen'],
      unlock: ['active', 'frozen'],
      medium_replacement: ['active'],
    };
    if (!allowed[v.type]!.includes(cert.status)) {
      throw unprocessable('target_state', 'targetSerial', `a ${v.type} needs a certificate that is ${allowed[v.type]!.join(' or ')}; ${cert.serial} is ${cert.status}`);
    }
    const now = new Date();
    if (v.type === 'renew') {
      const opens = this.windowOpens(new Date(cert.notAfter), now);
      if (opens > now) {
        throw unprocessable('renewal_window_not_open', 'targetSerial', `更新须在有效期届满前20个工作日内申请 (第十七条) / a renewal can be filed from ${opens.toISOString()} (20 working days before ${cert.notAfter})`);
      }
    }
    if (v.type === 'medium_replacement') {
      // One year from the day the UKey was handed to the unit (办理流程 二(五)); for a certificate on no
      // known UKey, from its issue. Outside it, the route is an ordinary reissue.
      const ukey = cert.ukeySerial ? await this.bus.call<UkeyView>(Subjects.cert.ukeyGet, { serial: cert.ukeySerial }) : undefined;
      // The anniversary day is inside the warranty (to its end, Beijing time).
      const until = ukey?.warrantyUntil ? endOfShanghaiDay(ukey.warrantyUntil.slice(0, 10)) : new Date(new Date(cert.notBefore).getTime() + WARRANTY_MS);
      if (now > until) {
        throw unprocessable('warranty_expired', 'targetSerial', `介质质保期为发放之日起一年，已于 ${until.toISOString()} 届满，请按遗失补办办理 / the UKey's one-year warranty ended ${until.toISOString()}; file a reissue instead`);
      }
    }
  }

  /**
   * The first day from which the renewal window holds: no more than 20 working days are left after
   * it up to the expiry (counted in the working-day calendar, 第十七条).
   */
  private windowOpens(notAfter: Date, now: Date): Date {
    const cal = this.calendar.calendar();
    let day = now;
    for (let i = 0; i < 800 && workingDaysBetween(cal, day, notAfter) > RENEWAL_WINDOW_WORKING_DAYS; i++) {
      day = new Date(endOfShanghaiDay(shanghaiDate(day)).getTime() + 1);
    }
    return day;
  }

  private async target(serial: string): Promise<CertificateView> {
    try {
      return await this.bus.getCertificate(serial);
    } catch (e) {
      if (e instanceof ProblemError && e.status === 404) throw unprocessable('target_not_found', 'targetSerial', `certificate ${serial} not found`);
      throw e;
    }
  }
}
