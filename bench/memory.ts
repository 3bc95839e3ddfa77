import { readdirSync, readFileSync } from 'node:fs';

/**
 * Peak resident memory per process group while a phase runs, sampled from /proc (Linux only):
 * this process, every PostgreSQL process (the largest backend and the sum), NATS, Redis.
 */
export interface MemoryPeaks {
  /** MB, peak RSS seen per group (for postgres: the largest single process). */
  peakRssMb: Record<string, number>;
  /** MB, peak of the sum of all PostgreSQL processes' RSS (shared buffers counted once per process that touched them). */
  postgresTotalPeakMb?: number;
}

function groupOf(pid: number, comm: string): string | undefined {
  if (pid === process.pid) return 'bench (node, cert-service in-process)';
  if (comm.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('nats-server')) return 'nats-server';
  if (comm.startsWith('redis-server')) return 'redis';
  return undefined;
}

function rssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function sample(peaks: Map<string, number>, totals: { postgres: number }): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  let pgSum = 0;
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    let comm: string;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const group = groupOf(pid, comm);
    if (!group) continue;
    const kb = rssKb(pid);
    if (kb === undefined) continue;
    if (group === 'postgres') pgSum += kb;
    peaks.set(group, Math.max(peaks.get(group) ?? 0, kb));
  }
  totals.postgres = Math.max(totals.postgres, pgSum);
}

/** Runs `fn` while sampling every `everyMs`; returns its result and the peaks. */
export async function withMemoryPeaks<T>(fn: () => Promise<T>, everyMs = 200): Promise<[T, MemoryPeaks]> {
  const peaks = new Map<string, number>();
  const totals = { postgres: 0 };
  sample(peaks, totals);
  const timer = setInterval(() => sample(peaks, totals), everyMs);
  try {
    const result = await fn();
    sample(peaks, totals);
    const mb = (kb: number) => Math.round(kb / 102.4) / 10;
    return [result, { peakRssMb: Object.fromEntries([...peaks].map(([k, v]) => [k, mb(v)])), ...(totals.postgres ? { postgresTotalPeakMb: mb(totals.postgres) } : {}) }];
  } finally {
    clearInterval(timer);
  }
}
