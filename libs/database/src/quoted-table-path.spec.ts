import { describe, expect, it } from 'vitest';
import { quotedTablePath } from './quoted-table-path';

const source = (tablePath: string) => ({ getMetadata: () => ({ tablePath }) }) as never;

describe('quotedTablePath', () => {
  it('quotes each part of the schema-qualified name', () => {
    expect(quotedTablePath(source('run_42.outbox'), 'x')).toBe('"run_42"."outbox"');
    expect(quotedTablePath(source('inbox'), 'x')).toBe('"inbox"');
  });

  it('keeps capitals and doubles embedded quotes, so a name cannot end the identifier', () => {
    expect(quotedTablePath(source('Tenant.seal'), 'x')).toBe('"Tenant"."seal"');
    expect(quotedTablePath(source('a"; DROP TABLE x; --.t'), 'x')).toBe('"a""; DROP TABLE x; --"."t"');
    expect(quotedTablePath(source('"a"."b"'), 'x')).toBe('"""a"""."""b"""');
  });
});
