// A stand-in for a gateway worker in gateway-worker-pool.medium.spec.ts: it does what the
// script in SCRIPTED_WORKER_PLAN says for its worker number and incarnation, nothing else.
// Steps: "ready" (listen: tell the primary), "hang" (never), "exit:<code>" (at once),
// "ready-exit:<code>:<ms>" (listen, then die), "stubborn" (listen, ignore SIGTERM).
import { appendFileSync, readFileSync } from 'node:fs';

const n = process.env.ECERT_GATEWAY_WORKER;
const plan = JSON.parse(process.env.SCRIPTED_WORKER_PLAN);
const log = process.env.SCRIPTED_WORKER_LOG;
const seen = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith(`${n} `)).length;
appendFileSync(log, `${n} ${process.pid}\n`);
const steps = plan[n] ?? ['ready'];
const step = steps[Math.min(seen, steps.length - 1)];
const [what, code, ms] = step.split(':');
const keepAlive = setInterval(() => {}, 60_000);
const stopDelay = Number(process.env.SCRIPTED_WORKER_STOP_MS ?? 0);
process.on('SIGTERM', () => {
  if (what === 'stubborn') return;
  clearInterval(keepAlive);
  setTimeout(() => process.exit(0), stopDelay);
});
if (what === 'exit') process.exit(Number(code));
if (what === 'ready' || what === 'stubborn' || what === 'ready-exit') process.send({ type: 'ecert:gateway-ready' });
if (what === 'ready-exit') setTimeout(() => process.exit(Number(code)), Number(ms));
