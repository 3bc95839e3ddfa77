/**
 * What a caller may do. Client systems are granted a subset when registered (应用开通); staff get
 * theirs from their role.
 */
export const OPERATIONS = [
  'certificates:read',
  'certificates:issue',
  'certificates:manage',
  /** A business system reports the certificates it saw used (第二十条 activity). */
  'certificates:activity',
  'seals:read',
  'seals:create',
  'seals:verify',
  /** Seal a PDF document with one of the unit's (or office's) seals: upload, ask to use a seal, seal, embed. */
  'documents:seal',
  /** See and download the documents one has a part in (uploaded, sealed, or decides a request for). */
  'documents:read',
  /** Verify any signed PDF and read the report. */
  'documents:verify',
  /** The unit's administrator: who may use a seal, and whether a use needs approval (第十四条). */
  'seals:manage-use',
  /** Decide seal-use requests where the rule names one as approver (or as administrator). */
  'seals:approve-use',
  'applications:read',
  'applications:submit',
  'applications:review',
  /** The CA operator's station: keys generated on the UKey, CSR sent (第十一条). */
  'applications:produce',
  /** The city office hands the UKey to the handler (第十二条). */
  'applications:dispatch',
  /** The handler's or the office's unlock tool fetches the one-time SO PIN of an approved unlock. */
  'applications:unlock',
  'ukeys:read',
  /** Import, assign, report lost / found / damaged, terminate (with certificates:manage where certificates change). */
  'ukeys:manage',
  /** The city office records a damaged UKey handed back at the counter (第十八条 交回原Ukey). */
  'ukeys:return',
  /** Dispatch batches to the city offices and their receipt there. */
  'ukeys:dispatch',
  'audit:read',
  /** The operators' view: queues (Bull Board, read-only), the overview of what is late, failed or due. */
  'operations:read',
  /** A business system's webhook subscriptions (its own only). */
  'webhooks:manage',
  'admin',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const STAFF_ROLES = ['county_acceptor', 'city_reviewer', 'province_approver', 'ca_operator', 'auditor', 'operator', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ROLE_OPERATIONS: Record<StaffRole, readonly Operation[]> = {
  county_acceptor: ['certificates:read', 'seals:read', 'seals:verify', 'applications:read', 'applications:submit', 'applications:review', 'ukeys:read', 'documents:read', 'documents:seal', 'documents:verify'],
  city_reviewer: ['certificates:read', 'seals:read', 'seals:verify', 'applications:read', 'applications:submit', 'applications:review', 'applications:dispatch', 'applications:unlock', 'ukeys:read', 'ukeys:return', 'ukeys:dispatch', 'documents:read', 'documents:seal', 'documents:verify', 'seals:manage-use', 'seals:approve-use'],
  province_approver: ['certificates:read', 'certificates:issue', 'certificates:manage', 'seals:read', 'seals:create', 'seals:verify', 'applications:read', 'applications:submit', 'applications:review', 'ukeys:read', 'ukeys:manage', 'ukeys:dispatch', 'documents:read', 'documents:seal', 'documents:verify', 'seals:manage-use', 'seals:approve-use'],
  ca_operator: ['certificates:read', 'certificates:issue', 'certificates:manage', 'seals:read', 'seals:create', 'seals:verify', 'applications:read', 'applications:produce', 'applications:unlock', 'ukeys:read', 'ukeys:manage', 'ukeys:dispatch', 'documents:verify'],
  auditor: ['certificates:read', 'seals:read', 'audit:read', 'documents:verify'],
  /** Runs the platform (运维): sees queues, failures and what is late or due; changes nothing. */
  operator: ['operations:read'],
  admin: [...OPERATIONS],
};

export function isOperation(v: unknown): v is Operation {
  return typeof v === 'string' && (OPERATIONS as readonly string[]).includes(v);
}
