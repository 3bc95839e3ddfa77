import { describe, expect, it } from 'vitest';
import { boardSessionCleared, boardSessionCookie, boardTokenFromCookies } from './board-session-cookie';

describe('queue board session cookie', () => {
  it('is HttpOnly, SameSite=Strict, limited to the board and to the token\'s life', () => {
    expect(boardSessionCookie('a.b', 899.7, true)).toBe('ecert_board_token=a.b; Path=/admin/queues; Max-Age=899; HttpOnly; SameSite=Strict; Secure');
    expect(boardSessionCookie('a.b', 60, false)).not.toContain('Secure');
    expect(boardSessionCleared(false)).toContain('Max-Age=0');
  });

  it('finds the token among other cookies and ignores anything not shaped like one', () => {
    expect(boardTokenFromCookies('x=1; ecert_board_token=eyJ.c2ln; y=2')).toBe('eyJ.c2ln');
    expect(boardTokenFromCookies('ecert_board_token=a.b.c')).toBeUndefined();
    expect(boardTokenFromCookies('ecert_board_token=')).toBeUndefined();
    expect(boardTokenFromCookies('other=a.b')).toBeUndefined();
    expect(boardTokenFromCookies(undefined)).toBeUndefined();
  });
});
