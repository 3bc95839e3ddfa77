import { describe, expect, it } from 'vitest';
import { decodePageCursor, encodePageCursor, isCursorTime } from './page-cursor';
import { MAX_PAGE, pageBounds } from './page-bounds';

describe('page cursors', () => {
  it('round-trips a position (microsecond time, key) and refuses anything else naming after', () => {
    const c = encodePageCursor('2026-12-01T17:27:34.123456Z', 'abc123');
    expect(decodePageCursor(c, [isCursorTime, /^[0-9a-f]+$/])).toEqual(['2026-12-01T17:27:34.123456Z', 'abc123']);
    for (const bad of [encodePageCursor('abc123'), encodePageCursor('2026-12-01T17:27:34.123Z', 'abc'), encodePageCursor('2026-02-30T00:00:00.000000Z', 'abc'), encodePageCursor('0000-01-01T00:00:00.000000Z', 'abc'), 'not a cursor']) {
      expect(() => decodePageCursor(bad, [isCursorTime, /^[0-9a-f]+$/]), bad).toThrow(expect.objectContaining({ status: 400, field: 'after' }));
    }
  });
});

describe('page bounds', () => {
  it('refuses a page past MAX_PAGE (which would overflow OFFSET) naming page', () => {
    expect(pageBounds({ page: MAX_PAGE, pageSize: 100 })).toEqual({ page: MAX_PAGE, pageSize: 100 });
    expect(pageBounds(undefined)).toEqual({ page: 1, pageSize: 20 });
    for (const page of [MAX_PAGE + 1, 1e20, 0, 1.5, '2']) expect(() => pageBounds({ page }), String(page)).toThrow(expect.objectContaining({ status: 400, field: 'page' }));
    expect(() => pageBounds({ pageSize: 101 })).toThrow(expect.objectContaining({ field: 'pageSize' }));
    expect(pageBounds({ pageSize: 1000 }, 1000).pageSize).toBe(1000);
  });
});
