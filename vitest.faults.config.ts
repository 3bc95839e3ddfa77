import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:faults`: the fault scenarios (test/faults), outside `npm test`. They kill and
 * restart backing servers of their own, so they run one file at a time. (Not mergeConfig: it
 * would append these files to the base config's include list instead of replacing it.)
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.fault-spec.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
