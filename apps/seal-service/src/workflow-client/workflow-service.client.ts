import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { requestContext, type EcertConfig } from '@ecert/common';
import { MATERIALS_REFERENCED_MAX, Subjects, type MaterialsReferencedReply } from '@ecert/contracts';
import { BUS_IDENTITY, BusRpcClient, CONFIG, type BusIdentity } from '@ecert/messaging';

/** What the document retention needs to know of the workflow-service: which contents are still its materials. */
export interface MaterialReferences {
  referenced(sha256s: readonly string[]): Promise<Set<string>>;
}

/**
 * The seal-service's line to the workflow-service (the bus's one RPC client), asked as the
 * seal-service itself: the document store is shared, and a content that is also an
 * application's material must outlive the document's retention.
 */
@Injectable()
export class WorkflowServiceClient implements MaterialReferences, OnApplicationShutdown {
  private readonly bus: BusRpcClient;

  constructor(@Inject(CONFIG) config: EcertConfig, @Inject(BUS_IDENTITY) identity: BusIdentity) {
    this.bus = new BusRpcClient(config, identity, 'seal-service-workflow-client');
  }

  async referenced(sha256s: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < sha256s.length; i += MATERIALS_REFERENCED_MAX) {
      const chunk = sha256s.slice(i, i + MATERIALS_REFERENCED_MAX);
      const reply = await requestContext.run({ requestId: `seal-retention-${Date.now().toString(36)}` }, () =>
        this.bus.call<MaterialsReferencedReply>(Subjects.workflow.materialsReferenced, { sha256s: chunk }, { service: 'workflow' }),
      );
      for (const s of reply.referenced) out.add(s);
    }
    return out;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
