import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  Subjects,
  type CollectUkeyCommand,
  type ConfirmUnlockCommand,
  type CreateDispatchBatchCommand,
  type DispatchBatchIdCommand,
  type ImportUkeysCommand,
  type IssueUnlockAuthorisationCommand,
  type ListUkeysQuery,
  type ProductionSoPinCommand,
  type RpcEnvelope,
  type UkeySerialQuery,
  type UkeyTransitionCommand,
} from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { ImportUkeysUseCase } from './usecases/import-ukeys.use-case';
import { TransitionUkeyUseCase } from './usecases/transition-ukey.use-case';
import { CollectUkeyUseCase } from './usecases/collect-ukey.use-case';
import { CreateDispatchBatchUseCase } from './usecases/create-dispatch-batch.use-case';
import { ReceiveDispatchBatchUseCase } from './usecases/receive-dispatch-batch.use-case';
import { ReleaseProductionSoPinUseCase } from './usecases/release-production-so-pin.use-case';
import { AuthoriseUnlockUseCase } from './usecases/authorise-unlock.use-case';
import { ConfirmUnlockUseCase } from './usecases/confirm-unlock.use-case';
import { UkeyQueries } from './queries/ukey-queries.service';

/**
 * NATS request/reply entry points of the UKeys. Who may send which is the bus policy's
 * (SUBJECT_POLICY): collection and the SO PIN subjects only the workflow-service, carrying out an
 * application at that step; these are the only paths on which an SO PIN leaves the cert-service.
 */
@Controller()
export class UkeysHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly importUc: ImportUkeysUseCase,
    private readonly transitionUc: TransitionUkeyUseCase,
    private readonly collectUc: CollectUkeyUseCase,
    private readonly dispatchUc: CreateDispatchBatchUseCase,
    private readonly receiveUc: ReceiveDispatchBatchUseCase,
    private readonly productionSoPinUc: ReleaseProductionSoPinUseCase,
    private readonly authoriseUnlockUc: AuthoriseUnlockUseCase,
    private readonly confirmUnlockUc: ConfirmUnlockUseCase,
    private readonly queries: UkeyQueries,
  ) {}

  @MessagePattern(Subjects.cert.ukeyImport)
  import(@Payload() env: RpcEnvelope<ImportUkeysCommand>) {
    return runRpc(this.logger, env, () => this.importUc.execute(env.data ?? ({} as ImportUkeysCommand)));
  }

  @MessagePattern(Subjects.cert.ukeyList)
  list(@Payload() env: RpcEnvelope<ListUkeysQuery>) {
    return runRpc(this.logger, env, () => this.queries.list(env.data ?? {}));
  }

  @MessagePattern(Subjects.cert.ukeyGet)
  get(@Payload() env: RpcEnvelope<UkeySerialQuery>) {
    return runRpc(this.logger, env, () => this.queries.get(env.data?.serial));
  }

  @MessagePattern(Subjects.cert.ukeyTransition)
  transition(@Payload() env: RpcEnvelope<UkeyTransitionCommand>) {
    return runRpc(this.logger, env, () => this.transitionUc.execute(env.data ?? ({} as UkeyTransitionCommand)));
  }

  @MessagePattern(Subjects.cert.ukeyCollect)
  collect(@Payload() env: RpcEnvelope<CollectUkeyCommand>) {
    return runRpc(this.logger, env, () => this.collectUc.execute(env.data ?? ({} as CollectUkeyCommand)));
  }

  @MessagePattern(Subjects.cert.dispatchCreate)
  dispatch(@Payload() env: RpcEnvelope<CreateDispatchBatchCommand>) {
    return runRpc(this.logger, env, () => this.dispatchUc.execute(env.data ?? ({} as CreateDispatchBatchCommand)));
  }

  @MessagePattern(Subjects.cert.dispatchReceive)
  receive(@Payload() env: RpcEnvelope<DispatchBatchIdCommand>) {
    return runRpc(this.logger, env, () => this.receiveUc.execute(env.data ?? ({} as DispatchBatchIdCommand)));
  }

  @MessagePattern(Subjects.cert.dispatchGet)
  dispatchGet(@Payload() env: RpcEnvelope<DispatchBatchIdCommand>) {
    return runRpc(this.logger, env, () => this.queries.dispatchBatch(env.data?.batchId));
  }

  @MessagePattern(Subjects.cert.ukeyProductionSoPin)
  productionSoPin(@Payload() env: RpcEnvelope<ProductionSoPinCommand>) {
    return runRpc(this.logger, env, () => this.productionSoPinUc.execute(env.data ?? ({} as ProductionSoPinCommand)));
  }

  @MessagePattern(Subjects.cert.ukeyUnlockAuthorisation)
  unlockAuthorisation(@Payload() env: RpcEnvelope<IssueUnlockAuthorisationCommand>) {
    return runRpc(this.logger, env, () => this.authoriseUnlockUc.execute(env.data ?? ({} as IssueUnlockAuthorisationCommand)));
  }

  @MessagePattern(Subjects.cert.ukeyUnlockConfirm)
  unlockConfirm(@Payload() env: RpcEnvelope<ConfirmUnlockCommand>) {
    return runRpc(this.logger, env, () => this.confirmUnlockUc.execute(env.data ?? ({} as ConfirmUnlockCommand)));
  }
}
