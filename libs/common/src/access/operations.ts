/**
 * What a caller may do. Client systems are granted a subset when registered (应用开通); staff get
 * theirs from their role.
 */
export const OPERATIONS = [
  'certificates:read',
  'certificates:issue',
  'certificates:manage',
  'seals:read',
  'seals:create',
  'seals:verify',
  'applications:submit',
  'applications:review',
  'audit:read',
  'admin',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const STAFF_ROLES = ['county_acceptor', 'city_reviewer', 'province_approver', 'ca_operator', 'auditor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ROLE_OPERATIONS: Record<StaffRole, readonly Operation[]> = {
  county_acceptor: ['certificates:read', 'seals:read', 'seals:verify', 'applications:submit'],
  city_reviewer: ['certificates:read', 'seals:read', 'seals:verify', 'applications:review'],
  province_approver: ['certificates:read', 'certificates:issue', 'certificates:manage', 'seals:read', 'seals:create', 'seals:verify', 'applications:review'],
  ca_operator: ['certificates:read', 'certificates:issue', 'certificates:manage', 'seals:read', 'seals:create', 'seals:verify'],
  auditor: ['certificates:read', 'seals:read', 'audit:read'],
  admin: [...OPERATIONS],
};

export function isOperation(v: unknown): v is Operation {
  return typeof v === 'string' && (OPERATIONS as readonly string[]).includes(v);
}
