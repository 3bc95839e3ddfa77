import type { EntityManager } from 'typeorm';
import { ProblemCode, ProblemError } from '@ecert/common';
import { MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT } from '@ecert/pki';
import type { SubscriberIdentity } from './subscriber-identity';

/**
 * 单位社保账户最多持有四张有效证书: refuses (409) a unit certificate for an account that already
 * holds the limit of active or frozen, unexpired unit certificates. Authoritative only under the
 * issuance's account lock (IssueCertificateUseCase); outside it, a cheap early refusal.
 */
export async function assertAccountHasRoom(m: EntityManager, identity: Pick<SubscriberIdentity, 'profile' | 'uscc' | 'accountNo'>): Promise<void> {
  const limit = accountCertificateLimit(identity);
  if (limit === null) return;
  const [{ count }] = await m.query(
    `SELECT count(*)::int AS count FROM "cert"."certificate"
      WHERE uscc = $1 AND account_no = $2 AND profile = 'unit' AND status IN ('active','frozen') AND not_after > now()`,
    [identity.uscc, identity.accountNo],
  );
  if (count >= limit) throw accountLimitReached(identity, count);
}

/** The limit that applies to the account's certificates of this profile, or null (only unit certificates are limited). */
export function accountCertificateLimit(identity: Pick<SubscriberIdentity, 'profile'>): number | null {
  return identity.profile === 'unit' ? MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT : null;
}

/** The key of the advisory lock every issuance for the account holds while it counts and inserts. */
export function accountLockKey(identity: Pick<SubscriberIdentity, 'uscc' | 'accountNo'>): string {
  return `account:${identity.uscc}:${identity.accountNo}`;
}

export function accountLimitReached(identity: Pick<SubscriberIdentity, 'uscc' | 'accountNo'>, count: number): ProblemError {
  return ProblemError.conflict(
    ProblemCode.certificateLimitReached,
    `单位社保账户最多持有 ${MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT} 张有效证书 / account ${identity.accountNo} of ${identity.uscc} already has ${count} active certificates (limit ${MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT})`,
    { limit: MAX_ACTIVE_CERTIFICATES_PER_ACCOUNT, active: count },
  );
}
