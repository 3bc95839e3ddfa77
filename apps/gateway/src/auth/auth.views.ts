import type { Operation, StaffRole } from '@ecert/common';

/** POST /api/v1/auth/challenge: sign `challenge` (its bytes, base64-decoded) with the login certificate's key. */
export interface LoginChallengeView {
  /** Send it back with the signature; single use. */
  challengeId: string;
  /** base64 of 32 random bytes. */
  challenge: string;
  expiresAt: string;
}

/** POST /api/v1/auth/login: the staff member's bearer token and who it says they are. */
export interface StaffLoginView {
  /** Send as `Authorization: Bearer <token>`; it ends at expiresAt, or sooner when the login certificate is frozen or revoked. */
  token: string;
  tokenType: 'Bearer';
  expiresAt: string;
  staff: { id: string; name: string; role: StaffRole; regionCode: string; operations: readonly Operation[] };
}
