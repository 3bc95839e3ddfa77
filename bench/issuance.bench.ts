import path from 'node:path';
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { computeOrganizationCodeCheckDigit, computeUsccCheckCharacter } from '@ecert/common';
import type { CertificateView } from '@ecert/contracts';
import { profiled } from './cpu-profile';
import { makeCsr } from './openssl';
import { BenchError, sleep } from './procs';
import { countCertificates, httpJson } from './platform';
import { luaString, otherStatuses, rateOf, runWrk, writeWrkScript, type WrkResult } from './wrk';

export type IssuanceKind = 'p256' | 'sm2';

export interface IssuanceResult {
  kind: IssuanceKind;
  caId: string;
  wrk: WrkResult;
  /** 201 responses per second: only created certificates count. */
  certsPerS: number;
  created: number;
  non201: number;
  /** cert.certificate rows added for this CA during the measured run (+ up to 1 s after). */
  dbRowsAdded: number;
}

export interface IssuancePhase {
  results: IssuanceResult[];
  /** One certificate of each kind issued by the sanity request, reused by the OCSP benchmark. */
  sample: Record<IssuanceKind, CertificateView>;
  csrNote: string;
}

const CA_OF: Record<IssuanceKind, string> = { p256: 'ecdsa-issuing', sm2: 'sm2-issuing' };
const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'; // GB 11714 characters without I O Z S V

/** A valid USCC (GB 32100) of a company registered in Nanning (450100), random per bench run. */
export function benchUscc(): string {
  const org8 = Array.from({ length: 8 }, () => ORG_ALPHABET[randomInt(ORG_ALPHABET.length)]).join('');
  const first17 = `91450100${org8}${computeOrganizationCodeCheckDigit(org8)}`;
  return first17 + computeUsccCheckCharacter(first17);
}

function requestBody(csrPem: string, uscc: string, accountNo: string): string {
  return JSON.stringify({ profile: 'unit', csr: csrPem, unit: { name: '广西基准测试科技有限公司', uscc, regionCode: '450100', accountNo } });
}

/**
 * The wrk script: every request a new accountNo (`<tag>-<thread>-<n>`), because one account
 * holds at most 4 active unit certificates.
 */
export function issuanceScript(file: string, csrPem: string, uscc: string, tag: string, apiKey: string | undefined): string {
  const marker = '@@ACCOUNT@@';
  const body = requestBody(csrPem, uscc, marker);
  const at = body.indexOf(marker);
  return writeWrkScript(
    file,
    `local prefix = ${luaString(body.slice(0, at))}
local suffix = ${luaString(body.slice(at + marker.length))}
local headers = { ["Content-Type"] = "application/json"${apiKey ? `, ["X-Api-Key"] = ${luaString(apiKey)}` : ''} }
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/certificates", headers, prefix .. "${tag}-" .. tid .. "-" .. n .. suffix)
end`,
  );
}

export async function runIssuanceBench(o: {
  wrk: string;
  baseUrl: string;
  dir: string;
  db: pg.Pool;
  durationS: number;
  warmupS: number;
  connections: number;
  quietWaitS: number;
  /** X-Api-Key of the bench's client, when the platform requires one. */
  apiKey?: string;
  log: (s: string) => void;
}): Promise<IssuancePhase> {
  const uscc = benchUscc();
  const csrs = { p256: await makeCsr(o.dir, 'p256'), sm2: await makeCsr(o.dir, 'sm2') };
  const sample = {} as Record<IssuanceKind, CertificateView>;
  for (const kind of ['p256', 'sm2'] as const) {
    const r = await httpJson<CertificateView>(`${o.baseUrl}/api/v1/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.apiKey ? { 'x-api-key': o.apiKey } : {}) },
      body: requestBody(csrs[kind].csrPem, uscc, `sanity-${kind}`),
    });
    if (r.status !== 201 || r.body.caId !== CA_OF[kind]) {
      throw new BenchError(`sanity issuance (${kind}) answered ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
    }
    sample[kind] = r.body;
  }

  const results: IssuanceResult[] = [];
  for (const kind of ['p256', 'sm2'] as const) {
    const url = `${o.baseUrl}/api/v1/certificates`;
    if (o.warmupS > 0) {
      o.log(`  warm-up ${kind} issuance ${o.warmupS} s ...`);
      await runWrk(o.wrk, {
        label: `warm-up ${kind}`,
        url,
        script: issuanceScript(path.join(o.dir, `issue-${kind}-warm.lua`), csrs[kind].csrPem, uscc, `w${kind}`, o.apiKey),
        connections: o.connections,
        durationS: o.warmupS,
      });
      await sleep(1000);
    }
    const before = await countCertificates(o.db);
    o.log(`  ${kind} issuance: wrk -t1 -c${o.connections} -d${o.durationS}s ...`);
    const w = await profiled(`issuance-${kind}`, () =>
      runWrk(o.wrk, {
        label: `issue ${kind}`,
        url,
        script: issuanceScript(path.join(o.dir, `issue-${kind}.lua`), csrs[kind].csrPem, uscc, `m${kind}`, o.apiKey),
        connections: o.connections,
        durationS: o.durationS,
        quietWaitS: o.quietWaitS,
        log: o.log,
      }),
    );
    await sleep(1000);
    const after = await countCertificates(o.db);
    const caId = CA_OF[kind];
    results.push({
      kind,
      caId,
      wrk: w,
      certsPerS: rateOf(w, 201),
      created: w.statuses['201'] ?? 0,
      non201: otherStatuses(w, 201),
      dbRowsAdded: (after[caId] ?? 0) - (before[caId] ?? 0),
    });
  }
  return {
    results,
    sample,
    csrNote: 'one P-256 key and one SM2 key (made by openssl genpkey), each with one CSR from `openssl req` (SM2: -sm3 -sigopt distid:1234567812345678), reused for every request; every request names a new accountNo',
  };
}
