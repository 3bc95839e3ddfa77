import type { Operation, StaffRole } from '@ecert/common';

/** Who is calling: a registered client system, or a staff member logged in with a certificate. */
export type Principal =
  | { kind: 'client'; clientId: string; credentialId: string; name: string; operations: readonly Operation[]; regions: string[]; rateLimitPerSecond: number }
  | { kind: 'staff'; staffId: string; name: string; role: StaffRole; operations: readonly Operation[]; regions: string[]; rateLimitPerSecond: number };

export const PUBLIC_ROUTE = 'ecert:public';
export const REQUIRED_OPERATION = 'ecert:operation';
