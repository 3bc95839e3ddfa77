import { describe, expect, it } from 'vitest';
import { boardActionOf, bodySummary, clampedBoardQuery, crossSiteWrite, decodeBoardPath } from './board-request-policy';

const queues = ['webhook-deliveries', 'crl-refresh'];
const action = (method: string, path: string) => boardActionOf(method, decodeBoardPath(path)!, queues);

describe('queue board request policy', () => {
  it('allows an admin per-job retry, promote and remove, retry of all failed, clean of completed or failed', () => {
    expect(action('PUT', '/api/queues/crl-refresh/7/retry')).toEqual({ kind: 'job', queue: 'crl-refresh', jobId: '7', action: 'retry' });
    expect(action('PUT', '/api/queues/crl-refresh/repeat%3Ax%3A1/promote')).toEqual({ kind: 'job', queue: 'crl-refresh', jobId: 'repeat:x:1', action: 'promote' });
    expect(action('PUT', '/api/queues/crl-refresh/7/clean')).toEqual({ kind: 'job', queue: 'crl-refresh', jobId: '7', action: 'remove' });
    expect(action('PUT', '/api/queues/webhook-deliveries/retry/failed')).toEqual({ kind: 'queue', queue: 'webhook-deliveries', action: 'retry-all', status: 'failed' });
    expect(action('PUT', '/api/queues/webhook-deliveries/clean/completed')).toMatchObject({ action: 'clean', status: 'completed' });
    expect(action('PUT', '/api/queues/webhook-deliveries/clean/failed')).toMatchObject({ action: 'clean', status: 'failed' });
  });

  it('refuses every other Bull Board route, matched the way its router would', () => {
    for (const [m, p] of [
      ['POST', '/api/queues/crl-refresh/add'],
      ['PATCH', '/api/queues/crl-refresh/7/update-data'],
      ['PATCH', '/api/queues/crl-refresh/7/delay'],
      ['PATCH', '/api/queues/crl-refresh/7/priority'],
      ['PUT', '/api/queues/crl-refresh/empty'],
      ['PUT', '/api/queues/crl-refresh/obliterate'],
      ['PUT', '/api/queues/pause'],
      ['PUT', '/api/queues/resume'],
      ['PUT', '/api/queues/crl-refresh/pause'],
      ['PUT', '/api/queues/crl-refresh/promote'],
      ['PUT', '/api/queues/crl-refresh/concurrency'],
      ['PUT', '/api/queues/crl-refresh/rate-limit'],
      ['PUT', '/api/queues/crl-refresh/rate-limit/release'],
      ['PUT', '/api/queues/crl-refresh/job-schedulers/s/remove'],
      ['PUT', '/api/queues/crl-refresh/job-schedulers/s/run'],
      ['PATCH', '/api/queues/crl-refresh/job-schedulers/s'],
      ['PUT', '/api/queues/crl-refresh/7/remove-unprocessed-children'],
      ['PUT', '/api/queues/crl-refresh/retry/completed'],
      ['PUT', '/api/queues/crl-refresh/clean/retry'],
      ['PUT', '/api/queues/crl-refresh/clean/delayed'],
      ['PUT', '/api/queues/crl-refresh/retry/retry'],
      ['PUT', '/api/queues/other-queue/7/retry'],
      ['DELETE', '/api/queues/crl-refresh/7/retry'],
      ['POST', '/api/metrics/history/purge'],
    ] as const) {
      expect(action(m, p), `${m} ${p}`).toBeUndefined();
    }
  });

  it('tells a bad percent escape from a path (400, not an exception)', () => {
    expect(decodeBoardPath('/api/queues/%E0%A4%A/1/retry')).toBeUndefined();
    expect(decodeBoardPath('/api/queues/%')).toBeUndefined();
    expect(decodeBoardPath('/api/queues/a%2Fb/1/retry')).toBeUndefined();
    expect(decodeBoardPath('/api/queues')).toEqual(['api', 'queues']);
  });

  it('clamps jobsPerPage to 1..100 and leaves other queries alone', () => {
    expect(clampedBoardQuery('?activeQueue=x&jobsPerPage=100000')).toBe('?activeQueue=x&jobsPerPage=100');
    expect(clampedBoardQuery('?jobsPerPage=0')).toBe('?jobsPerPage=1');
    expect(clampedBoardQuery('?jobsPerPage=abc')).toBe('?jobsPerPage=10');
    expect(clampedBoardQuery('?jobsPerPage=5&jobsPerPage=1000000')).toBe('?jobsPerPage=5');
    expect(clampedBoardQuery('?jobsPerPage=50')).toBeUndefined();
    expect(clampedBoardQuery('?page=2')).toBeUndefined();
    expect(clampedBoardQuery('')).toBeUndefined();
  });

  it('refuses writes another site made a browser send', () => {
    const base = { publicOrigin: 'https://ecert.example.cn', host: 'ecert.example.cn', byCookie: true };
    expect(crossSiteWrite({ ...base, origin: 'https://evil.example', secFetchSite: 'cross-site' })).toBeDefined();
    expect(crossSiteWrite({ ...base, secFetchSite: 'same-site' })).toBeDefined();
    expect(crossSiteWrite({ ...base, origin: 'https://evil.example' })).toBeDefined();
    expect(crossSiteWrite({ ...base, origin: 'null' })).toBeDefined();
    // The cookie alone is not enough for a write: the browser must say it is the board's page.
    expect(crossSiteWrite({ ...base })).toBeDefined();
    expect(crossSiteWrite({ ...base, origin: 'https://ecert.example.cn', secFetchSite: 'same-origin' })).toBeUndefined();
    expect(crossSiteWrite({ ...base, origin: 'http://ecert.example.cn' })).toBeUndefined();
    // A tool with a bearer token sends neither header.
    expect(crossSiteWrite({ ...base, byCookie: false })).toBeUndefined();
  });

  it('quotes a refused header at most 200 characters long, without control characters', () => {
    const origin = `https://evil.example/${'a'.repeat(5000)}`;
    const base = { publicOrigin: 'https://ecert.example.cn', host: 'ecert.example.cn', byCookie: true };
    const refusal = crossSiteWrite({ ...base, origin })!;
    expect(refusal.length).toBeLessThan(260);
    expect(refusal).toContain('https://evil.example/aaa');
    const site = crossSiteWrite({ ...base, secFetchSite: 'cross-site\r\nX-Forged: 1\u0000\u2028' })!;
    expect(site).toBe('Sec-Fetch-Site is cross-siteX-Forged: 1');
  });

  it('audits a digest and the keys of a body, never its values', () => {
    const s = bodySummary({ data: { idNumber: '450102199001011234' } })!;
    expect(s.keys).toEqual(['data']);
    expect(JSON.stringify(s)).not.toContain('4501021990');
    expect(s.sha256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bodySummary({})).toBeNull();
    expect(bodySummary(undefined)).toBeNull();
  });
});
