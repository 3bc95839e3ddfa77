import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditTrail } from './audit-trail.service';
import { AnonymousRefusals } from './anonymous-refusals.service';
import { AuditCheckpointer } from './audit-checkpointer.service';
import { DomainEventsAudit } from './events/domain-events-audit.listener';

/**
 * Starts the audit trail's background work and stops it in order (Nest runs the hooks of one
 * module concurrently): no more events, write the pending refusal summaries, drain the queue,
 * then checkpoint the final head, so a clean shutdown leaves every record anchored.
 */
@Injectable()
export class AuditLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly trail: AuditTrail,
    private readonly anonymous: AnonymousRefusals,
    private readonly checkpointer: AuditCheckpointer,
    private readonly events: DomainEventsAudit,
  ) {}

  onApplicationBootstrap(): void {
    this.anonymous.start();
    this.checkpointer.start();
    this.events.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.events.stop();
    this.anonymous.stop();
    await this.anonymous.flush(true);
    await this.trail.flush();
    this.checkpointer.stop();
    await this.checkpointer.checkpoint().catch(() => undefined);
  }
}
