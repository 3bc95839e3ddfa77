import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  Subjects,
  type CreateSealUseRequestCommand,
  type DecideSealUseRequestCommand,
  type DocumentIdQuery,
  type EmbedSignatureCommand,
  type ListSealUseRequestsQuery,
  type PutSealUseRuleCommand,
  type RegisterDocumentCommand,
  type RpcEnvelope,
  type SealDocumentCommand,
  type SealUseRequestIdQuery,
  type SealUseRuleQuery,
  type VerificationReportQuery,
  type VerifyDocumentCommand,
} from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { RegisterDocumentUseCase } from './register-document.use-case';
import { DocumentQueries } from './document-queries.service';
import { PutSealUseRuleUseCase } from './put-seal-use-rule.use-case';
import { SealUseQueries } from './seal-use-queries.service';
import { CreateSealUseRequestUseCase } from './create-seal-use-request.use-case';
import { DecideSealUseRequestUseCase } from './decide-seal-use-request.use-case';
import { SealDocumentUseCase } from './seal-document.use-case';
import { EmbedSignatureUseCase } from './embed-signature.use-case';
import { VerifyDocumentUseCase } from './verify-document.use-case';
import { VerificationReportQueries } from './verification-report-queries.service';

/** NATS request/reply entry points of document sealing (issue 11). */
@Controller()
export class DocumentsHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly register: RegisterDocumentUseCase,
    private readonly documents: DocumentQueries,
    private readonly putRule: PutSealUseRuleUseCase,
    private readonly sealUse: SealUseQueries,
    private readonly createRequest: CreateSealUseRequestUseCase,
    private readonly decideRequest: DecideSealUseRequestUseCase,
    private readonly seal: SealDocumentUseCase,
    private readonly embed: EmbedSignatureUseCase,
    private readonly verify: VerifyDocumentUseCase,
    private readonly reports: VerificationReportQueries,
  ) {}

  @MessagePattern(Subjects.seal.documentRegister)
  onRegister(@Payload() env: RpcEnvelope<RegisterDocumentCommand>) {
    return runRpc(this.logger, env, () => this.register.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentGet)
  onGet(@Payload() env: RpcEnvelope<DocumentIdQuery>) {
    return runRpc(this.logger, env, () => this.documents.get(env.data));
  }

  @MessagePattern(Subjects.seal.documentDownload)
  onDownload(@Payload() env: RpcEnvelope<DocumentIdQuery>) {
    return runRpc(this.logger, env, () => this.documents.download(env.data));
  }

  @MessagePattern(Subjects.seal.documentUseRulePut)
  onPutRule(@Payload() env: RpcEnvelope<PutSealUseRuleCommand>) {
    return runRpc(this.logger, env, () => this.putRule.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentUseRuleGet)
  onGetRule(@Payload() env: RpcEnvelope<SealUseRuleQuery>) {
    return runRpc(this.logger, env, () => this.sealUse.rule(env.data));
  }

  @MessagePattern(Subjects.seal.documentUseRequestCreate)
  onCreateRequest(@Payload() env: RpcEnvelope<CreateSealUseRequestCommand>) {
    return runRpc(this.logger, env, () => this.createRequest.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentUseRequestGet)
  onGetRequest(@Payload() env: RpcEnvelope<SealUseRequestIdQuery>) {
    return runRpc(this.logger, env, () => this.sealUse.request(env.data));
  }

  @MessagePattern(Subjects.seal.documentUseRequestList)
  onListRequests(@Payload() env: RpcEnvelope<ListSealUseRequestsQuery>) {
    return runRpc(this.logger, env, () => this.sealUse.list(env.data ?? {}));
  }

  @MessagePattern(Subjects.seal.documentUseRequestDecide)
  onDecide(@Payload() env: RpcEnvelope<DecideSealUseRequestCommand>) {
    return runRpc(this.logger, env, () => this.decideRequest.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentSeal)
  onSeal(@Payload() env: RpcEnvelope<SealDocumentCommand>) {
    return runRpc(this.logger, env, () => this.seal.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentEmbed)
  onEmbed(@Payload() env: RpcEnvelope<EmbedSignatureCommand>) {
    return runRpc(this.logger, env, () => this.embed.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentVerify)
  onVerify(@Payload() env: RpcEnvelope<VerifyDocumentCommand>) {
    return runRpc(this.logger, env, () => this.verify.execute(env.data));
  }

  @MessagePattern(Subjects.seal.documentReportGet)
  onReport(@Payload() env: RpcEnvelope<VerificationReportQuery>) {
    return runRpc(this.logger, env, () => this.reports.get(env.data));
  }
}
