import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * `"schema"."table"` of an entity, for hand-written statements: the schema is per deployment (and
 * per test run), so it comes from the entity metadata, quoted so that no name is folded or read as
 * SQL.
 */
export function quotedTablePath(source: Pick<DataSource, 'getMetadata'>, entity: EntityTarget<ObjectLiteral>): string {
  return source
    .getMetadata(entity)
    .tablePath.split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}
