import { Inject, Injectable } from '@nestjs/common';
import { ProblemError, type EcertConfig } from '@ecert/common';
import { buildTimestampRequest, CmsError, readTimestampResponse, verifyTimestampToken } from '@ecert/cms';
import { CONFIG } from '@ecert/messaging';

/**
 * PAdES B-T: with a time-stamping authority configured (ECERT_TSA_URL), every document signature
 * gets an RFC 3161 token over its signature value before it is embedded. With a TSA configured the
 * platform promises B-T: a TSA that does not answer, or answers with a token that does not check
 * out, fails the sealing cleanly (503 / 502) rather than quietly giving B-B.
 */
@Injectable()
export class TimestampAuthorityClient {
  constructor(@Inject(CONFIG) private readonly config: EcertConfig) {}

  get configured(): boolean {
    return this.config.ECERT_TSA_URL !== '';
  }

  async tokenFor(signatureValue: Uint8Array): Promise<Uint8Array | undefined> {
    if (!this.configured) return undefined;
    const { der, nonce } = buildTimestampRequest(signatureValue);
    let answer: Uint8Array;
    try {
      const res = await fetch(this.config.ECERT_TSA_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: der,
        signal: AbortSignal.timeout(this.config.ECERT_TSA_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      answer = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new ProblemError(503, 'tsa_unavailable', '时间戳服务不可用 (time-stamping authority unavailable)', `The TSA did not answer: ${(e as Error).message}`);
    }
    try {
      const token = readTimestampResponse(answer, nonce);
      const v = verifyTimestampToken(token, signatureValue);
      if (!v.imprintMatches || !v.signatureValid || !v.digestMatches) throw new CmsError('signature_invalid', v.problems.join('; ') || 'the token does not check out');
      return token;
    } catch (e) {
      throw new ProblemError(502, 'tsa_answer_invalid', '时间戳无效 (bad time-stamp)', `The TSA's answer was refused: ${(e as Error).message}`);
    }
  }
}
