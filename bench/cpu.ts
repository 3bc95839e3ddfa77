import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time per component during a run, from /proc (Linux only; elsewhere it reports nothing):
 * who spends the two cores while wrk is running — the gateway, the cert-service, the other
 * services, PostgreSQL, NATS, Redis, wrk itself, the openssl peer, or something else on the box.
 */
const TICKS_PER_S = 100; // USER_HZ on Linux

interface Sample {
  at: bigint;
  procs: Map<number, { group: string; ticks: number }>;
  machineBusy: number;
  machineTotal: number;
}

function groupOf(pid: number, comm: string): string {
  if (pid === process.pid) return 'bench (this process)';
  if (comm === 'node' || comm.startsWith('node')) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      /* gone */
    }
    const m = /dist\/apps\/([a-z-]+)\/src\/main\.js/.exec(cmd);
    if (m) return m[1]!;
    if (/dist\/scripts\/start\.js/.test(cmd)) return 'launcher';
    return 'other node';
  }
  if (comm === 'postgres' || comm.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('nats-server')) return 'nats-server';
  if (comm.startsWith('redis-server')) return 'redis';
  if (comm === 'wrk') return 'wrk';
  if (comm === 'openssl') return 'openssl peer';
  return 'other';
}

export function cpuSample(): Sample | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const procs = new Map<number, { group: string; ticks: number }>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(open + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // f[0] is field 3 (state): utime is field 14 → f[11], stime field 15 → f[12].
      procs.set(pid, { group: groupOf(pid, comm), ticks: Number(f[11]) + Number(f[12]) });
      // Children the bench has reaped (wrk, once it exits) add to its cutime/cstime (fields 16, 17):
      // a pseudo-process keeps them, since wrk is gone before the closing sample.
      if (pid === process.pid) procs.set(-1, { group: 'wrk (exited child of the bench)', ticks: Number(f[13]) + Number(f[14]) });
    } catch {
      /* exited meanwhile */
    }
  }
  let machineBusy = 0;
  let machineTotal = 0;
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    machineTotal = cpu.reduce((a, b) => a + b, 0);
    machineBusy = machineTotal - (cpu[3] ?? 0) - (cpu[4] ?? 0); // minus idle and iowait
  } catch {
    /* no /proc/stat */
  }
  return { at: process.hrtime.bigint(), procs, machineBusy, machineTotal };
}

/** Cores used per component between two samples (1.0 = one core fully busy), and the machine's busy share. */
export interface CpuUsage {
  coresByComponent: Record<string, number>;
  machineBusyPct: number;
}

export function cpuUsage(a: Sample | undefined, b: Sample | undefined): CpuUsage | undefined {
  if (!a || !b) return undefined;
  const wallS = Number(b.at - a.at) / 1e9;
  if (wallS <= 0) return undefined;
  const by: Record<string, number> = {};
  for (const [pid, p] of b.procs) {
    const before = a.procs.get(pid);
    const delta = p.ticks - (before && before.group === p.group ? before.ticks : 0);
    if (delta > 0) by[p.group] = (by[p.group] ?? 0) + delta;
  }
  const coresByComponent = Object.fromEntries(
    Object.entries(by)
      .map(([k, v]) => [k, Math.round((v / TICKS_PER_S / wallS) * 100) / 100] as const)
      .filter(([, v]) => v >= 0.01)
      .sort((x, y) => y[1] - x[1]),
  );
  const total = b.machineTotal - a.machineTotal;
  const machineBusyPct = total > 0 ? Math.round(((b.machineBusy - a.machineBusy) / total) * 1000) / 10 : 0;
  return { coresByComponent, machineBusyPct };
}

export function formatCpu(u: CpuUsage | undefined): string {
  if (!u) return '';
  const parts = Object.entries(u.coresByComponent).map(([k, v]) => `${k} ${v.toFixed(2)}`);
  return `machine ${u.machineBusyPct}% busy; cores: ${parts.join(', ')}`;
}

const FOREIGN = ['other node', 'other'];

/** Cores used by processes that are neither the platform, its backing services, wrk nor the peer. */
export function foreignCores(u: CpuUsage | undefined): number {
  if (!u) return 0;
  return Math.round(FOREIGN.reduce((n, k) => n + (u.coresByComponent[k] ?? 0), 0) * 100) / 100;
}

/** Foreign load above this (in cores) during a run makes its figures suspect. */
export const FOREIGN_LIMIT = 0.25;

/**
 * Waits (at most maxWaitS) until other work on the machine — another session's test run, say —
 * uses less than FOREIGN_LIMIT cores over one second. Returns how long it waited and the last
 * foreign load seen; the caller runs anyway after maxWaitS, and the run's own CPU figures show it.
 */
export async function waitForQuiet(maxWaitS: number): Promise<{ waitedS: number; foreign: number }> {
  const start = Date.now();
  for (;;) {
    const a = cpuSample();
    await new Promise((r) => setTimeout(r, 1000));
    const foreign = foreignCores(cpuUsage(a, cpuSample()));
    const waitedS = Math.round((Date.now() - start) / 100) / 10;
    if (foreign < FOREIGN_LIMIT || waitedS >= maxWaitS) return { waitedS, foreign };
  }
}
