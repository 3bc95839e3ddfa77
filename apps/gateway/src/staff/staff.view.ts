import type { StaffRole } from '@ecert/common';

/** A staff account and the certificates it logs in with. */
export interface StaffView {
  id: string;
  name: string;
  role: StaffRole;
  regionCode: string;
  status: string;
  certificateSerials: string[];
  lastLoginAt: string | null;
}
