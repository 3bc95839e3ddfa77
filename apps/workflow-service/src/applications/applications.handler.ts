import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  Subjects,
  type ApplicationIdCommand,
  type ApplicationUkeyCommand,
  type CompleteUnlockCommand,
  type WithdrawApplicationCommand,
  type AttachMaterialCommand,
  type CheckMaterialCommand,
  type CalendarYearOverride,
  type CreateApplicationCommand,
  type DecideApplicationCommand,
  type ListApplicationsQuery,
  type RecordCollectionCommand,
  type RecordProductionCommand,
  type HandlerContactQuery,
  type MaterialsReferencedQuery,
  type RpcEnvelope,
} from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { CreateApplicationUseCase } from './usecases/create-application.use-case';
import { AttachMaterialUseCase } from './usecases/attach-material.use-case';
import { SubmitApplicationUseCase } from './usecases/submit-application.use-case';
import { DecideApplicationUseCase } from './usecases/decide-application.use-case';
import { RecordProductionUseCase } from './usecases/record-production.use-case';
import { RecordCollectionUseCase } from './usecases/record-collection.use-case';
import { RetryApplicationUseCase } from './usecases/retry-application.use-case';
import { ApplicationQueries } from './application-queries.service';
import { PutCalendarYearUseCase } from '../sla/put-calendar-year.use-case';
import { ReleaseUkeySoPinUseCase } from './usecases/release-ukey-so-pin.use-case';
import { WithdrawApplicationUseCase } from './usecases/withdraw-application.use-case';
import { AbortApplicationUseCase } from './usecases/abort-application.use-case';
import { CompleteUnlockUseCase } from './usecases/complete-unlock.use-case';
import { FindHandlerContactUseCase } from './usecases/find-handler-contact.use-case';
import { MaterialReferencesQuery } from './material-references.query';

/** NATS request/reply entry points of applications and the working-day calendar. */
@Controller()
export class ApplicationsHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly createUc: CreateApplicationUseCase,
    private readonly attachUc: AttachMaterialUseCase,
    private readonly submitUc: SubmitApplicationUseCase,
    private readonly decideUc: DecideApplicationUseCase,
    private readonly productionUc: RecordProductionUseCase,
    private readonly collectionUc: RecordCollectionUseCase,
    private readonly retryUc: RetryApplicationUseCase,
    private readonly queries: ApplicationQueries,
    private readonly calendarUc: PutCalendarYearUseCase,
    private readonly soPinUc: ReleaseUkeySoPinUseCase,
    private readonly withdrawUc: WithdrawApplicationUseCase,
    private readonly abortUc: AbortApplicationUseCase,
    private readonly unlockUc: CompleteUnlockUseCase,
    private readonly contactUc: FindHandlerContactUseCase,
    private readonly materialReferences: MaterialReferencesQuery,
  ) {}

  @MessagePattern(Subjects.workflow.materialsReferenced)
  materialsReferenced(@Payload() env: RpcEnvelope<MaterialsReferencedQuery>) {
    return runRpc(this.logger, env, () => this.materialReferences.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationCreate)
  create(@Payload() env: RpcEnvelope<CreateApplicationCommand>) {
    return runRpc(this.logger, env, () => this.createUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationGet)
  get(@Payload() env: RpcEnvelope<ApplicationIdCommand>) {
    return runRpc(this.logger, env, () => this.queries.get(env.data?.applicationId));
  }

  @MessagePattern(Subjects.workflow.applicationList)
  list(@Payload() env: RpcEnvelope<ListApplicationsQuery>) {
    return runRpc(this.logger, env, () => this.queries.list(env.data ?? {}));
  }

  @MessagePattern(Subjects.workflow.materialAttach)
  attach(@Payload() env: RpcEnvelope<AttachMaterialCommand>) {
    return runRpc(this.logger, env, () => this.attachUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.materialCheck)
  checkMaterial(@Payload() env: RpcEnvelope<CheckMaterialCommand>) {
    return runRpc(this.logger, env, () => this.attachUc.check(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationSubmit)
  submit(@Payload() env: RpcEnvelope<ApplicationIdCommand>) {
    return runRpc(this.logger, env, () => this.submitUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationDecide)
  decide(@Payload() env: RpcEnvelope<DecideApplicationCommand>) {
    return runRpc(this.logger, env, () => this.decideUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationWithdraw)
  withdraw(@Payload() env: RpcEnvelope<WithdrawApplicationCommand>) {
    return runRpc(this.logger, env, () => this.withdrawUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationProduction)
  production(@Payload() env: RpcEnvelope<RecordProductionCommand>) {
    return runRpc(this.logger, env, () => this.productionUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationCollect)
  collect(@Payload() env: RpcEnvelope<RecordCollectionCommand>) {
    return runRpc(this.logger, env, () => this.collectionUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationRetry)
  retry(@Payload() env: RpcEnvelope<ApplicationIdCommand>) {
    return runRpc(this.logger, env, () => this.retryUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.productionSoPin)
  productionSoPin(@Payload() env: RpcEnvelope<ApplicationUkeyCommand>) {
    return runRpc(this.logger, env, () => this.soPinUc.production(env.data));
  }

  @MessagePattern(Subjects.workflow.unlockAuthorisation)
  unlockAuthorisation(@Payload() env: RpcEnvelope<ApplicationUkeyCommand>) {
    return runRpc(this.logger, env, () => this.soPinUc.unlock(env.data));
  }

  @MessagePattern(Subjects.workflow.applicationAbort)
  abort(@Payload() env: RpcEnvelope<WithdrawApplicationCommand>) {
    return runRpc(this.logger, env, () => this.abortUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.unlockCompletion)
  unlockCompletion(@Payload() env: RpcEnvelope<CompleteUnlockCommand>) {
    return runRpc(this.logger, env, () => this.unlockUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.calendarStatus)
  calendarStatus(@Payload() env: RpcEnvelope<unknown>) {
    return runRpc(this.logger, env, async () => this.calendarUc.status());
  }

  @MessagePattern(Subjects.workflow.calendarOverrides)
  calendarOverrides(@Payload() env: RpcEnvelope<unknown>) {
    return runRpc(this.logger, env, async () => this.calendarUc.overrides());
  }

  @MessagePattern(Subjects.workflow.calendarPut)
  calendarPut(@Payload() env: RpcEnvelope<CalendarYearOverride>) {
    return runRpc(this.logger, env, () => this.calendarUc.execute(env.data));
  }

  @MessagePattern(Subjects.workflow.handlerContact)
  handlerContact(@Payload() env: RpcEnvelope<HandlerContactQuery>) {
    return runRpc(this.logger, env, () => this.contactUc.execute(env.data));
  }
}
