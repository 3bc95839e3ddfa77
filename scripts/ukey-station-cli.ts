import type { ParseArgsConfig } from 'node:util';
import type { StationConnection } from './ukey-station-client';

/** Options both station commands take: where the platform is, who calls, which token. */
export const STATION_CLI_OPTIONS = {
  application: { type: 'string' },
  module: { type: 'string' },
  slot: { type: 'string' },
  label: { type: 'string' },
  ukey: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const STATION_CLI_USAGE =
  '--application <id> --module <vendor pkcs11 .so> [--slot <n> | --label <token label>] --ukey <UKey serial> [--url http://127.0.0.1:3000] [--token <staff token> | --api-key <key>] [--json]';

type StationValues = { [K in keyof typeof STATION_CLI_OPTIONS]?: (typeof STATION_CLI_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Credentials from the options or, so they stay out of `ps` and shell history, the environment. */
export function connectionFrom(values: StationValues, env: NodeJS.ProcessEnv = process.env): StationConnection {
  const token = values.token ?? env.ECERT_TOKEN;
  const apiKey = values['api-key'] ?? env.ECERT_API_KEY;
  return { url: values.url ?? env.ECERT_URL ?? 'http://127.0.0.1:3000', ...(token ? { token } : {}), ...(apiKey && !token ? { apiKey } : {}) };
}

/** `--slot` as a slot id; undefined when absent. */
export function slotFrom(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--slot must be a slot number, not "${value}"`);
  return BigInt(value);
}

/** Runs a station command's main: usage errors exit 2, failures 1 with the message on stderr. */
export function runStationCommand(name: string, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    const usage = e instanceof UsageError;
    console.error(usage ? `usage: npm run ${name} -- ${(e as UsageError).message}` : `${name} failed: ${(e as Error).message}`);
    process.exit(usage ? 2 : 1);
  });
}

export class UsageError extends Error {}
