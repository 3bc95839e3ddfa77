import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import * as asn1js from 'asn1js';
import type { Logger } from 'pino';
import { ProblemCode, ProblemError } from '@ecert/common';
import { Subjects, type RpcEnvelope, type SealMakerSignCommand, type SealMakerSignReply } from '@ecert/contracts';
import { LOGGER, runRpc } from '@ecert/messaging';
import { CaRegistry } from '../ca/ca-registry.service';
import { caId } from '../ca/ca-naming';

/** SES_SealInfo of a seal with its picture stays well under NATS's 1 MB message limit. */
const MAX_SEAL_INFO_BYTES = 900 * 1024;

/**
 * The seal maker (制章者): signs a seal's DER(SES_SealInfo) with the SM2 seal-maker key, which
 * never leaves the cert-service. It signs nothing else: the bytes must be one DER SES_SealInfo
 * with header ES/4, so this subject cannot be used to have certificates, CRLs or OCSP answers
 * signed by a CA-issued key.
 */
@Controller()
export class SealMakerHandler {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: CaRegistry,
  ) {}

  @MessagePattern(Subjects.cert.sealMakerSign)
  sign(@Payload() env: RpcEnvelope<SealMakerSignCommand>) {
    return runRpc(this.logger, env, async (): Promise<SealMakerSignReply> => {
      const data = Buffer.from(typeof env?.data?.data === 'string' ? env.data.data : '', 'base64');
      const problem = sealInfoProblem(data);
      if (problem) throw ProblemError.badRequest(ProblemCode.validationFailed, 'data', `the seal maker signs only a DER SES_SealInfo v4: ${problem}`);
      const id = caId('sm2', 'seal-maker');
      const maker = this.registry.get(id);
      const signer = await this.registry.signer(id);
      const signature = await signer.sign(new Uint8Array(data));
      this.logger.info({ caId: id, bytes: data.length }, 'seal maker signed a SES_SealInfo');
      return {
        signature: Buffer.from(signature).toString('base64'),
        signatureAlgorithmOid: signer.signatureAlgorithmOid,
        certificate: maker.certificate.toString('base64'),
        chain: this.registry
          .chain(id)
          .slice(1)
          .map((ca) => ca.certificate.toString('base64')),
      };
    });
  }
}

/** Why `data` is not SES_SealInfo ::= SEQUENCE { SES_Header {IA5 "ES", INTEGER 4, IA5 Vid}, IA5 esID, property, picture, ... }. */
export function sealInfoProblem(data: Uint8Array): string | undefined {
  if (!data.length) return 'no data';
  if (data.length > MAX_SEAL_INFO_BYTES) return `${data.length} bytes is too large`;
  const parsed = asn1js.fromBER(data);
  if (parsed.offset === -1 || parsed.offset !== data.length) return 'not one DER element';
  const info = parsed.result;
  if (!(info instanceof asn1js.Sequence) || info.valueBlock.value.length < 4) return 'not a SEQUENCE of at least 4 fields';
  const [header, esId] = info.valueBlock.value;
  if (!(header instanceof asn1js.Sequence) || header.valueBlock.value.length !== 3) return 'SES_Header missing';
  const [id, version, vid] = header.valueBlock.value;
  if (!(id instanceof asn1js.IA5String) || id.valueBlock.value !== 'ES') return 'header ID is not "ES"';
  if (!(version instanceof asn1js.Integer) || version.valueBlock.valueDec !== 4) return 'header version is not 4';
  if (!(vid instanceof asn1js.IA5String)) return 'header Vid missing';
  if (!(esId instanceof asn1js.IA5String) || !esId.valueBlock.value) return 'esID missing';
  return undefined;
}
