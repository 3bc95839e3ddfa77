import type { ProblemCodeValue } from './problem-codes';
import { PROBLEM_TITLES } from './problem-titles';

/** The common title of a code, or the helper's generic one for a code of another catalogue. */
const titleOf = (code: string, generic: string) => (PROBLEM_TITLES as Record<string, string>)[code] ?? generic;

/** RFC 9457 problem details, plus ecert's stable `code` and the offending `field`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ProblemCodeValue | string;
  detail?: string;
  field?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://ecert.dev/problems/';

/**
 * The one error type services throw for anything a caller should see. It crosses NATS as plain
 * JSON (see toJSON) and the gateway turns it into application/problem+json unchanged.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCodeValue | string,
    readonly title: string,
    readonly detail?: string,
    readonly field?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ProblemError';
  }

  toProblem(requestId?: string): ProblemDetails {
    return {
      type: PROBLEM_TYPE_BASE + this.code,
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.field ? { field: this.field } : {}),
      ...(requestId ? { requestId } : {}),
      ...this.extensions,
    };
  }

  static fromProblem(p: ProblemDetails): ProblemError {
    const { type: _t, title, status, code, detail, field, instance: _i, requestId: _r, ...ext } = p;
    return new ProblemError(status, code, title, detail, field, ext);
  }

  static isProblem(value: unknown): value is ProblemDetails {
    const v = value as ProblemDetails | null;
    return !!v && typeof v === 'object' && typeof v.status === 'number' && typeof v.code === 'string' && typeof v.title === 'string';
  }

  static badRequest(code: ProblemCodeValue | string, field: string | undefined, detail: string): ProblemError {
    return new ProblemError(400, code, titleOf(code, '请求参数无效 (invalid request)'), detail, field);
  }

  static notFound(code: ProblemCodeValue | string, detail: string): ProblemError {
    return new ProblemError(404, code, titleOf(code, '资源不存在 (not found)'), detail);
  }

  static conflict(code: ProblemCodeValue | string, detail: string, extensions: Record<string, unknown> = {}): ProblemError {
    return new ProblemError(409, code, titleOf(code, '状态冲突 (conflict)'), detail, undefined, extensions);
  }
}
