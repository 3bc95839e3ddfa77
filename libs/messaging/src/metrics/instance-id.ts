import { hostname } from 'node:os';

/** This process's `instance` label: ECERT_INSTANCE_ID (a pod's name), else host name and pid. */
export function instanceId(config: { ECERT_INSTANCE_ID?: string }): string {
  return config.ECERT_INSTANCE_ID ?? `${hostname()}:${process.pid}`;
}
