import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { NATIONAL_SCOPE, requestContext, type EcertConfig } from '@ecert/common';
import { NOTIFIER_ACTOR, QueueNames, Subjects, type CertificateEventData, type DomainEvent, type HandlerContactQuery, type HandlerContactReply, type MailDeliveryJob } from '@ecert/contracts';
import { JobQueue } from '@ecert/messaging';
import { GATEWAY_CONFIG, GATEWAY_DATA_SOURCE, GATEWAY_LOGGER } from '../../gateway.tokens';
import { RpcClient } from '../../rpc/rpc-client.service';
import { isMailEvent, reminderMail, type MailEventType } from './reminder-mail';

const M = `"gateway"."mail_delivery"`;
const SWEEP_EVERY_MS = 30_000;
/**
 * How long a mail is held while being sent (`sending`): longer than the handler-contact call and
 * the SMTP timeouts together, so a stalled job that BullMQ runs again does not send it twice.
 * After a crash mid-send it goes out again once the lease has run out.
 */
const SEND_LEASE_S = 300;

/**
 * E-mails the handler (经办人) when a certificate's renewal window opens and when it expires:
 * one row per event (its id unique), sent through the BullMQ queue `QueueNames.mail` with
 * retries, over SMTP (nodemailer). The handler's address comes from the workflow-service (the
 * application that issued or last serviced the certificate). Without SMTP_URL mail is off.
 */
@Injectable()
export class MailNotifier {
  private jobs?: JobQueue<MailDeliveryJob>;
  private transport?: Transporter;
  private sweeper?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: EcertConfig,
    @Inject(GATEWAY_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(GATEWAY_LOGGER) logger: Logger,
    private readonly rpc: RpcClient,
  ) {
    this.logger = logger.child({ component: 'mail' });
  }

  get enabled(): boolean {
    return this.config.SMTP_URL !== '';
  }

  start(): void {
    if (!this.enabled) {
      this.logger.info('SMTP_URL is not set: e-mail to handlers (renewal reminders, expiry) is disabled');
      return;
    }
    // A server that accepts and then says nothing must not hold a worker (and the lease) for ever.
    this.transport = createTransport({ url: this.config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }, { from: this.config.MAIL_FROM });
    this.jobs = JobQueue.open<MailDeliveryJob>(this.logger, {
      name: QueueNames.mail,
      redisUrl: this.config.REDIS_URL,
      redisPrefix: this.config.ECERT_REDIS_PREFIX,
      label: 'mail',
      processor: (job) => this.process(job),
      concurrency: 4,
    });
    const sweep = () => void this.enqueuePending().catch((e) => this.logger.warn({ err: (e as Error).message }, 'mail sweep failed'));
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.jobs?.close();
    this.transport?.close();
  }

  /** In the consumer's transaction: one mail per event, whatever happens later. */
  async record(manager: EntityManager, event: DomainEvent): Promise<boolean> {
    if (!this.enabled || !isMailEvent(event.type)) return false;
    const data = event.data as CertificateEventData;
    if (typeof data?.serial !== 'string') return false;
    await manager.query(`INSERT INTO ${M} (id, event_id, event_type, certificate_serial, data) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (event_id) DO NOTHING`, [
      randomUUID(),
      event.id,
      event.type,
      data.serial,
      JSON.stringify(data),
    ]);
    return true;
  }

  async enqueuePending(): Promise<void> {
    const queue = this.jobs?.queue;
    if (!queue) return;
    const rows: { id: string }[] = await this.ds.query(
      `SELECT id FROM ${M} WHERE status IN ('pending', 'failed') OR (status = 'sending' AND lease_until < now()) ORDER BY created_at LIMIT 1000`,
    );
    for (const r of rows) {
      await queue.add('send', { mailId: r.id }, { jobId: r.id, attempts: this.config.MAIL_MAX_ATTEMPTS, backoff: { type: 'exponential', delay: this.config.MAIL_BACKOFF_MS }, removeOnComplete: true, removeOnFail: true });
    }
  }

  private async process(job: Job<MailDeliveryJob>): Promise<void> {
    // Claimed before anything is sent: a second run of the job (BullMQ's stalled-job check, another
    // gateway) finds it `sending` and leaves it. The attempt budget is the row's, not the job's.
    // (An UPDATE … RETURNING answers [rows, count].)
    const [claimed]: [Record<string, unknown>[], number] = await this.ds.query(
      `UPDATE ${M} SET status = 'sending', lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
        WHERE id = $1 AND (status IN ('pending', 'failed') OR (status = 'sending' AND lease_until < now())) RETURNING *`,
      [job.data.mailId, SEND_LEASE_S],
    );
    const row = claimed[0] as { id: string; event_id: string; event_type: string; certificate_serial: string; data: unknown; attempts: number } | undefined;
    if (!row) return;
    const last = row.attempts >= this.config.MAIL_MAX_ATTEMPTS;
    try {
      const contact = await requestContext.run({ requestId: `mail-${row.event_id}`, actor: NOTIFIER_ACTOR, regions: [NATIONAL_SCOPE], operations: [] }, () =>
        this.rpc.call<HandlerContactReply>(Subjects.workflow.handlerContact, { certificateSerial: row.certificate_serial } satisfies HandlerContactQuery),
      );
      if (!contact.found) {
        await this.ds.query(`UPDATE ${M} SET status = 'no_contact', lease_until = NULL WHERE id = $1`, [row.id]);
        this.logger.info({ serial: row.certificate_serial, eventId: row.event_id }, 'no application handler known for this certificate: no e-mail');
        return;
      }
      const mail = reminderMail(row.event_type as MailEventType, row.data as CertificateEventData, contact);
      const info = await this.transport!.sendMail({ to: { name: contact.name, address: contact.email }, subject: mail.subject, text: mail.text, headers: { 'X-Ecert-Event-Id': row.event_id } });
      await this.ds.query(`UPDATE ${M} SET status = 'sent', lease_until = NULL, recipient = $2, application_id = $3, message_id = $4, sent_at = now(), last_error = NULL WHERE id = $1`, [
        row.id,
        contact.email,
        contact.applicationId,
        info.messageId ?? null,
      ]);
    } catch (e) {
      const err = (e as Error).message.slice(0, 500);
      await this.ds.query(`UPDATE ${M} SET status = $2, lease_until = NULL, last_error = $3 WHERE id = $1`, [row.id, last ? 'dead' : 'failed', err]);
      if (last) {
        this.logger.error({ eventId: row.event_id, err }, 'e-mail to the handler given up');
        return;
      }
      throw e;
    }
  }
}
