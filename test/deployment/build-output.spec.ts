import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let out: string;

/**
 * What `npm start` runs is the tsc output under plain Node's ESM loader, not the Vitest transform
 * the other tests use. A CommonJS package imported by name, or an alias tsc-alias missed, only
 * fails there — so build into a scratch folder inside the repo (to resolve node_modules) and load
 * every entry point.
 */
beforeAll(() => {
  out = mkdtempSync(path.join(root, '.build-check-'));
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out], { cwd: root, stdio: 'pipe' });
  execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json', '--outDir', out], { cwd: root, stdio: 'pipe' });
}, 240_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('the compiled services load under plain Node', () => {
  it.each([
    'apps/gateway/src/main.js',
    'apps/gateway/src/gateway-app.js',
    'apps/gateway/src/cluster/gateway-worker-pool.js',
    'apps/cert-service/src/main.js',
    'apps/seal-service/src/main.js',
    'apps/workflow-service/src/main.js',
    'scripts/admin-create.js',
    'scripts/audit-verify.js',
  ])('%s', (entry) => {
    // Importing (not running) an entry point: each starts only when it is the process's main module.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(path.join(out, entry))})`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the seal-image generator finds its npm font from dist/', () => {
    // The default font path is resolved relative to the compiled file, so check it there too.
    const mod = JSON.stringify(path.join(out, 'apps/seal-service/src/images/seal-image-generator.js'));
    const code = `const m = await import(${mod}); const img = m.generateSealImage({ text: '章' }); console.log(m.defaultSealFont(), img.widthPx);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ECERT_SEAL_FONT: '' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/node_modules\/@expo-google-fonts\/noto-serif-sc\/700Bold\/NotoSerifSC_700Bold\.ttf 420\n$/);
  });
});
