import { createHash } from 'node:crypto';

/**
 * What the queue board lets through to Bull Board, decided on the request alone (no Redis, no
 * Nest): Bull Board exposes every route its UI has (add jobs, edit their data, pause or obliterate
 * queues, change concurrency...), far more than running ecert needs. Only reads, and for an admin
 * the few actions that recover from failures, reach it.
 */

/** Bull Board's page size is the caller's to choose; a huge one would read a whole queue from Redis. */
export const BOARD_JOBS_PER_PAGE_MAX = 100;

/** An admin's board actions: per-job retry/promote/remove, retry every failed job, clean completed or failed. */
export type BoardAction =
  | { kind: 'job'; queue: string; jobId: string; action: 'retry' | 'promote' | 'remove' }
  | { kind: 'queue'; queue: string; action: 'retry-all'; status: 'failed' }
  | { kind: 'queue'; queue: string; action: 'clean'; status: 'completed' | 'failed' };

/**
 * The path below /admin/queues, percent-decoded segment by segment; undefined when a `%` does
 * not start a valid escape (a 400, not a 500) or a segment decodes to a slash.
 */
export function decodeBoardPath(path: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of path.split('/').slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s.includes('/')) return undefined;
    out.push(s);
  }
  return out;
}

/**
 * The action a write asks for, in the order Bull Board's own router matches its routes (so
 * `/q/clean/retry` is the queue-wide clean with status `retry`, refused, never a job "clean"'s
 * retry). Undefined: a route the gateway does not allow (add, update-data, delay, priority, pause,
 * resume, empty, obliterate, concurrency, rate limits, job schedulers, ...).
 */
export function boardActionOf(method: string, segments: string[], queues: readonly string[]): BoardAction | undefined {
  if (method !== 'PUT' || segments.length !== 5 || segments[0] !== 'api' || segments[1] !== 'queues') return undefined;
  const [, , queue, a, b] = segments;
  if (!queues.includes(queue)) return undefined;
  if (a === 'retry') return b === 'failed' ? { kind: 'queue', queue, action: 'retry-all', status: 'failed' } : undefined;
  if (a === 'clean') return b === 'completed' || b === 'failed' ? { kind: 'queue', queue, action: 'clean', status: b } : undefined;
  // Names of Bull Board's queue-wide routes: never a job id, whatever the last segment says.
  if (['pause', 'resume', 'promote', 'add', 'concurrency', 'rate-limit', 'empty', 'obliterate', 'job-schedulers'].includes(a)) return undefined;
  if (b === 'retry' || b === 'promote') return { kind: 'job', queue, jobId: a, action: b };
  // Bull Board calls removing one job "clean".
  if (b === 'clean') return { kind: 'job', queue, jobId: a, action: 'remove' };
  return undefined;
}

/**
 * The query with `jobsPerPage` clamped to 1..BOARD_JOBS_PER_PAGE_MAX (the rest as sent), or
 * undefined when nothing had to change.
 */
export function clampedBoardQuery(search: string): string | undefined {
  if (!search) return undefined;
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const all = params.getAll('jobsPerPage');
  if (all.length === 0) return undefined;
  const n = Number.parseInt(all[0], 10);
  const clamped = Number.isFinite(n) ? Math.min(Math.max(n, 1), BOARD_JOBS_PER_PAGE_MAX) : 10;
  if (all.length === 1 && String(clamped) === all[0]) return undefined;
  params.delete('jobsPerPage');
  params.set('jobsPerPage', String(clamped));
  return `?${params.toString()}`;
}

/**
 * CSRF defence for board writes, beside the cookie's SameSite=Strict: a browser says where a
 * request comes from (Sec-Fetch-Site, Origin); a write from another site is refused. A request
 * carrying neither (curl with a bearer token) cannot be a browser's forged one when it is not
 * authenticated by the cookie; with the cookie, the browser must have said "same origin".
 */
/** A header as a refusal quotes it (detail and audit): control characters out, at most 200 characters. */
function quoted(header: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = header.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

export function crossSiteWrite(h: { origin?: string; secFetchSite?: string; host?: string; publicOrigin: string; byCookie: boolean }): string | undefined {
  if (h.secFetchSite !== undefined && h.secFetchSite !== 'same-origin' && h.secFetchSite !== 'none') return `Sec-Fetch-Site is ${quoted(h.secFetchSite)}`;
  if (h.origin !== undefined) {
    let host: string | undefined;
    try {
      host = h.origin === 'null' ? undefined : new URL(h.origin).host;
    } catch {
      host = undefined;
    }
    if (h.origin !== h.publicOrigin && (host === undefined || host !== h.host)) return `Origin ${quoted(h.origin)} is not the gateway's`;
    return undefined;
  }
  if (h.byCookie && h.secFetchSite !== 'same-origin') return 'a write authenticated by the board cookie must come with Origin or Sec-Fetch-Site: same-origin';
  return undefined;
}

/** What the audit keeps of a write's body: its digest and top-level keys, never the job data it may carry. */
export function bodySummary(body: unknown): { sha256: string; keys: string[] } | null {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return null;
  const json = JSON.stringify(body);
  return { sha256: createHash('sha256').update(json).digest('base64url'), keys: typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).slice(0, 20) : [] };
}
