import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  Subjects,
  type CreateSealCommand,
  type DownloadSealQuery,
  type ExtractedSealImageView,
  type ExtractSealImageCommand,
  type ListSealsQuery,
  type RpcEnvelope,
  type SealIdQuery,
  type VerifySealCommand,
} from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { extractSealFromScan, SCAN_LIMITS } from '../images';
import { CreateSealUseCase } from './create-seal.use-case';
import { SealQueries } from './seal-queries.service';
import { VerifySealUseCase } from './verify-seal.use-case';
import { decodeBase64, imageProblem, intInRange } from './seal-input';

/** NATS request/reply entry points of the seal-service. */
@Controller()
export class SealsHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly createUc: CreateSealUseCase,
    private readonly verifyUc: VerifySealUseCase,
    private readonly queries: SealQueries,
  ) {}

  @MessagePattern(Subjects.seal.create)
  create(@Payload() env: RpcEnvelope<CreateSealCommand>) {
    return runRpc(this.logger, env, () => this.createUc.execute(env.data));
  }

  @MessagePattern(Subjects.seal.get)
  get(@Payload() env: RpcEnvelope<SealIdQuery>) {
    return runRpc(this.logger, env, () => this.queries.get(env.data?.id));
  }

  @MessagePattern(Subjects.seal.list)
  list(@Payload() env: RpcEnvelope<ListSealsQuery>) {
    return runRpc(this.logger, env, () => this.queries.list(env.data ?? {}));
  }

  @MessagePattern(Subjects.seal.download)
  download(@Payload() env: RpcEnvelope<DownloadSealQuery>) {
    return runRpc(this.logger, env, () => this.queries.download(env.data ?? { id: '', what: 'esl' }));
  }

  @MessagePattern(Subjects.seal.verify)
  verify(@Payload() env: RpcEnvelope<VerifySealCommand>) {
    return runRpc(this.logger, env, () => this.verifyUc.execute(env.data));
  }

  /** A seal picture from a scan of the impression; nothing is stored (the result goes into POST /seals). */
  @MessagePattern(Subjects.seal.extractImage)
  extractImage(@Payload() env: RpcEnvelope<ExtractSealImageCommand>) {
    return runRpc(this.logger, env, async (): Promise<ExtractedSealImageView> => {
      const bytes = decodeBase64(env.data?.image, 'image', SCAN_LIMITS.maxBytes)!;
      const dpi = env.data?.dpi === undefined ? undefined : intInRange(env.data.dpi, 'dpi', 72, 2400);
      try {
        const r = extractSealFromScan(bytes, dpi ? { dpi } : {});
        return {
          png: Buffer.from(r.png).toString('base64'),
          widthPx: r.widthPx,
          heightPx: r.heightPx,
          widthMm: r.widthMm,
          heightMm: r.heightMm,
          dpi: r.dpi,
          dpiSource: r.dpiSource,
          inkColor: r.inkColor,
          inkPixels: r.inkPixels,
        };
      } catch (e) {
        throw imageProblem(e, 'image');
      }
    });
  }
}
