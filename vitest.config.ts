import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  // SWC instead of esbuild: Nest's dependency injection needs emitDecoratorMetadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@ecert/contracts': lib('contracts'),
      '@ecert/common': lib('common'),
      '@ecert/pki': lib('pki'),
      '@ecert/messaging': lib('messaging'),
      '@ecert/database': lib('database'),
      '@ecert/ses': lib('ses'),
      '@ecert/workflow': lib('workflow'),
      '@ecert/documents': lib('documents'),
      '@ecert/pdf': lib('pdf'),
      '@ecert/cms': lib('cms'),
      // The published package's source (packages/client): tests call the API through it.
      '@ecert/client': fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    setupFiles: ['test/support/env.setup.ts'],
  },
});
