import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRouteTable } from './route-table.renderer';

const DOC = new URL('../../../../docs/application-routes.md', import.meta.url);
const BEGIN = '<!-- route-table:begin -->\n';
const END = '<!-- route-table:end -->';

describe('docs/application-routes.md', () => {
  it('shows the routes the workflow-service runs on (ECERT_WRITE_ROUTE_TABLE=1 rewrites it)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const table = renderRouteTable();
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    const current = doc.slice(start + BEGIN.length, end);
    if (process.env.ECERT_WRITE_ROUTE_TABLE === '1' && current !== table) {
      writeFileSync(DOC, doc.slice(0, start + BEGIN.length) + table + doc.slice(end));
      return;
    }
    expect(current).toBe(table);
  });
});
