import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { durableConsumers, type DomainEvent, type UkeyEventData } from '@ecert/contracts';
import type { EcertConfig } from '@ecert/common';
import { BUS_IDENTITY, CONFIG, DATA_SOURCE, consumerProvisioning, EventConsumer, LOGGER, NATS_CONNECTION, OUTBOX_RELAY, type BusIdentity, type OutboxRelay } from '@ecert/messaging';
import { ApplicationEntity } from '../applications/entities/application.entity';
import { ApplicationStepEntity } from '../applications/entities/application-step.entity';
import { journal, WORKFLOW_SERVICE_ACTOR } from '../applications/application-journal';
import { touch } from '../applications/application-loader';
import { completeWaitingStep } from '../fulfilment/fulfilment-engine';
import { WorkingCalendarProvider } from '../sla/working-calendar.provider';
import { refreshDueColumns } from '../sla/application-deadline';


/**
 * Follows the cert-service's UKey events. A UKey made for an application and received at its city
 * office (dispatch batch receipt) makes the application ready for collection: the SLA clock stops
 * there (办理完毕并寄回). Only events the cert-service signed are applied, each once.
 */
@Injectable()
export class UkeyEventsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: EventConsumer;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(BUS_IDENTITY) private readonly identity: BusIdentity,
    @Inject(CONFIG) private readonly config: EcertConfig,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly calendar: WorkingCalendarProvider,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Events whose application wrote outbox rows, from the handler to the kick after commit.
    const dispatched = new Set<string>();
    this.consumer = new EventConsumer(this.ds, this.nc, this.logger.child({ component: 'ukey-events' }), {
      ...durableConsumers().workflowUkeys,
      ...consumerProvisioning(this.config),
      verifier: this.identity,
      handler: async (event, manager) => {
        if (await this.apply(event as DomainEvent<string, UkeyEventData>, manager)) {
          // Bounded: an id whose transaction reported an error at COMMIT yet committed is never
          // seen by afterCommit (the redelivery finds it applied); the relay's poll covers its kick.
          if (dispatched.size >= 1000) dispatched.clear();
          dispatched.add(event.id);
        }
      },
      // The dispatch step's events are in the outbox once the event's transaction committed.
      afterCommit: (event) => {
        if (dispatched.delete(event.id)) this.relay.kick();
      },
    });
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async apply(event: DomainEvent<string, UkeyEventData>, m: EntityManager): Promise<boolean> {
    const d = event.data;
    if (event.type !== 'ukey.transitioned' || d?.to !== 'at_office' || !d.applicationId) return false;
    const app = await m.findOne(ApplicationEntity, { where: { id: d.applicationId }, lock: { mode: 'pessimistic_write' } });
    // The UKey must be the one produced for this application: an event naming another is ignored.
    if (!app || app.results.ukeySerial !== d.serial) return false;
    const waiting = await m.findOneBy(ApplicationStepEntity, { applicationId: app.id, name: 'dispatch', status: 'running' });
    if (!waiting) return false;
    const now = new Date();
    app.results = { ...app.results, dispatchedAt: now.toISOString() };
    touch(app, now);
    await completeWaitingStep(m, app, 'dispatch', { officeRegionCode: d.officeRegionCode ?? null, at: now.toISOString() }, now);
    await journal(m, app, 'ready_for_collection', WORKFLOW_SERVICE_ACTOR, { ukeySerial: d.serial, officeRegionCode: d.officeRegionCode }, 'application.ready_for_collection');
    refreshDueColumns(app, this.calendar.calendar(), now);
    await m.save(app);
    return true;
  }
}
