import { createHmac, timingSafeEqual } from 'node:crypto';

export interface StaffTokenClaims {
  sub: string;
  role: string;
  region: string;
  /** Serial of the certificate the staff member logged in with. */
  cert: string;
  iat: number;
  exp: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A short-lived bearer token: base64url(claims).base64url(HMAC-SHA256). */
export function signStaffToken(claims: StaffTokenClaims, secret: string): string {
  const body = b64url(JSON.stringify(claims));
  const mac = createHmac('sha256', secret).update(body).digest();
  return `${body}.${b64url(mac)}`;
}

export function verifyStaffToken(token: string, secret: string, now = Date.now()): StaffTokenClaims | undefined {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as StaffTokenClaims;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
