import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sleep } from './procs';

/** BENCH_CPU_PROFILE=<dir>: profile every service during the measured issuance runs (see cpu-profile.preload.ts). */
export const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : undefined;

/** Environment that makes the platform's processes load the profiler (nothing without BENCH_CPU_PROFILE). */
export function cpuProfileEnv(distRoot: string): NodeJS.ProcessEnv {
  if (!CPU_PROFILE_DIR) return {};
  mkdirSync(CPU_PROFILE_DIR, { recursive: true });
  const preload = pathToFileURL(path.join(distRoot, 'bench', 'cpu-profile.preload.js')).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(), ECERT_CPU_PROFILE_DIR: CPU_PROFILE_DIR };
}

/** Runs `fn` with every platform process profiling (when BENCH_CPU_PROFILE is set), as phase `phase`. */
export async function profiled<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  if (!CPU_PROFILE_DIR) return fn();
  const marker = path.join(CPU_PROFILE_DIR, 'profiling');
  // This run's profiles only: an earlier run's of the same phase would be summarised with them.
  for (const f of readdirSync(CPU_PROFILE_DIR)) if (f.startsWith(`${phase}-`) && f.endsWith('.cpuprofile')) rmSync(path.join(CPU_PROFILE_DIR, f));
  writeFileSync(marker, phase);
  await sleep(300); // every process polls the marker each 100 ms
  try {
    return await fn();
  } finally {
    rmSync(marker, { force: true });
    await sleep(1500); // time to stop and write the profiles
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** The package or ecert app/lib a frame's code belongs to; undefined for Node's own and native code. */
function ownerOf(url: string): string | undefined {
  // The in-process inspector session's own work (its message dispatch) is the profiler's cost.
  if (url.endsWith('cpu-profile.preload.js')) return '(the profiler)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  return /dist\/((?:apps|libs|bench)\/[^/]+)/.exec(url)?.[1];
}

/**
 * Lines of the busiest owners (share of the process's busy samples, see chargedTo) per profile of
 * `phase` in the directory: enough to see where a process spends its time without opening the
 * profiles (Chrome DevTools or speedscope read them whole).
 */
export function summariseCpuProfiles(phase: string, top = 8): string[] {
  if (!CPU_PROFILE_DIR) return [];
  const lines: string[] = [];
  for (const file of readdirSync(CPU_PROFILE_DIR).filter((f) => f.startsWith(`${phase}-`) && f.endsWith('.cpuprofile')).sort()) {
    const p = JSON.parse(readFileSync(path.join(CPU_PROFILE_DIR, file), 'utf8')) as CpuProfile;
    const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // A sample counts for the innermost package or ecert code on its stack: Node's internals and
    // native work (a socket write, a signature) are charged to whoever called them. Garbage
    // collection and "(program)" have no caller and keep their own names.
    const owners = new Map<number, string>();
    const chargedTo = (id: number): string => {
      const known = owners.get(id);
      if (known) return known;
      const frame = frames.get(id)!;
      const up = parent.get(id);
      const owner = ownerOf(frame.url) ?? (up === undefined || frame.functionName.startsWith('(') ? (frame.functionName === '(root)' ? '(Node, no package on the stack)' : frame.functionName) : chargedTo(up));
      owners.set(id, owner);
      return owner;
    };
    const self = new Map<string, number>();
    let busy = 0;
    p.samples.forEach((id, i) => {
      if (frames.get(id)!.functionName === '(idle)') return;
      const owner = chargedTo(id);
      // Stopping the profiler (building the profile) lands in its last sample: not the process's work.
      if (owner === '(the profiler)') return;
      const dt = p.timeDeltas[i] ?? 0;
      busy += dt;
      self.set(owner, (self.get(owner) ?? 0) + dt);
    });
    if (!busy) continue;
    const shares = [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => `${k} ${((t / busy) * 100).toFixed(0)}%`);
    lines.push(`${file.replace(/\.cpuprofile$/, '')}: busy ${(busy / 1e6).toFixed(1)} s — ${shares.join(', ')}`);
  }
  return lines;
}
