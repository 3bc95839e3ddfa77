import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ProblemCode, ProblemError, requestContext } from '@ecert/common';
import { NOTIFIER_ACTOR, type HandlerContactQuery, type HandlerContactReply } from '@ecert/contracts';
import { DATA_SOURCE } from '@ecert/messaging';
import { bad } from '../application-input';

const SERIAL = /^[0-9A-Fa-f]{2,64}$/;

/**
 * The handler (经办人) to e-mail about a certificate: the one of a completed application — the one
 * that issued it (apply, renewal, reissue: results.certificateSerial) first, else the one that last
 * serviced it (target_serial), by completion time. Only completed ones: anyone may file (and
 * withdraw) an application about a serial with their own e-mail, and must not receive the unit's
 * reminders by it. Contact data leaves the
 * workflow-service only for the gateway's notifier acting on its own — never for a client
 * system's or a staff member's request, whatever the gateway forwards.
 */
@Injectable()
export class FindHandlerContactUseCase {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async execute(q: HandlerContactQuery): Promise<HandlerContactReply> {
    const ctx = requestContext.getStore();
    if (ctx?.caller !== 'gateway' || ctx.clientId || ctx.role || ctx.actor !== NOTIFIER_ACTOR) {
      throw new ProblemError(403, ProblemCode.busCallerForbidden, '调用方无权限 (bus caller not permitted)', "Handlers' contact data is given to the gateway's notifier only");
    }
    const serial = typeof q?.certificateSerial === 'string' ? q.certificateSerial : '';
    if (!SERIAL.test(serial)) throw bad('certificateSerial', 'certificateSerial must be the hex serial of a certificate');
    const rows: { id: string; handler: { name: string; email: string }; unit: { name: string }; region_code: string }[] = await this.ds.query(
      `SELECT id, handler, unit, region_code FROM "workflow"."application"
        WHERE status = 'completed' AND (results->>'certificateSerial' = $1 OR target_serial = $1)
        ORDER BY (results->>'certificateSerial' = $1) IS TRUE DESC, closed_at DESC NULLS LAST, id LIMIT 1`,
      [serial],
    );
    const app = rows[0];
    if (!app?.handler?.email) return { found: false };
    return { found: true, applicationId: app.id, name: app.handler.name, email: app.handler.email, unitName: app.unit.name, regionCode: app.region_code };
  }
}
