import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { ProblemCode, ProblemError, problemTitle } from '@ecert/common';
import { sendProblem } from '../problem/problem-response';

/** Bull Board's error bodies: `{ error: { key: 'ERRORS.QUEUE_NOT_FOUND' }, message? }`. */
function boardErrorKey(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  const key = (parsed as { error?: { key?: unknown } } | null)?.error?.key;
  return typeof key === 'string' ? key.replace(/^ERRORS\./, '').slice(0, 80) : undefined;
}

/**
 * Bull Board answers its API's errors (an unknown queue or job, a failed Redis call) in a shape
 * of its own, 5xx ones with the error's message. On this response they become problems like every
 * other error of the gateway: the board's key as detail, nothing internal for a 5xx (logged).
 */
export function boardErrorsAsProblems(req: Request, res: Response, logger: Logger): void {
  const send = res.send.bind(res);
  let converted = false;
  res.send = ((body?: unknown) => {
    // A problem already (the gateway's own, after the board passed the request on): as it is.
    if (converted || res.statusCode < 400 || /^application\/problem\+json/.test(String(res.getHeader('content-type') ?? ''))) return send(body);
    converted = true;
    const status = res.statusCode;
    const key = boardErrorKey(body);
    let problem: ProblemError;
    if (status >= 500) {
      logger.error({ requestId: (req as { requestId?: string }).requestId, status, key, path: req.originalUrl }, 'queue board failed');
      problem = new ProblemError(status === 503 ? 503 : 500, status === 503 ? ProblemCode.storeUnavailable : ProblemCode.internal, problemTitle(status === 503 ? ProblemCode.storeUnavailable : ProblemCode.internal, status), 'The queue board could not answer');
    } else if (status === 404) {
      problem = ProblemError.notFound(ProblemCode.notFound, `The queue board has no such queue or job${key ? ` (${key})` : ''}`);
    } else {
      problem = new ProblemError(status, ProblemCode.validationFailed, problemTitle(ProblemCode.validationFailed, status), `The queue board refused the request${key ? ` (${key})` : ''}`);
    }
    sendProblem(req, res, problem);
    return res;
  }) as Response['send'];
}
