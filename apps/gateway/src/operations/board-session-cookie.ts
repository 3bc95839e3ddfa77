/**
 * The queue board's browser session: a browser cannot add an Authorization header to a page it
 * navigates to, so the staff bearer token (the same one the API takes, won by certificate login)
 * is exchanged once for a cookie that only /admin/queues receives. HttpOnly (no script reads it),
 * SameSite=Strict (no other site's page can make the browser send it), and it lives no longer than
 * the token itself.
 */
export const BOARD_COOKIE = 'ecert_board_token';
export const BOARD_PATH = '/admin/queues';

export function boardTokenFromCookies(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === BOARD_COOKIE) {
      const value = part.slice(eq + 1).trim();
      // Tokens are base64url.base64url: anything else is not ours.
      return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function boardSessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${BOARD_COOKIE}=${token}`, `Path=${BOARD_PATH}`, `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

export function boardSessionCleared(secure: boolean): string {
  return boardSessionCookie('', 0, secure);
}
