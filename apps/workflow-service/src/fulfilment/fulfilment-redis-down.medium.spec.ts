import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestPlatform, type TestPlatform } from '../../../../test/support/test-platform';
import { TempDir } from '../../../../test/support/fixtures';
import { ApprovedRevocation } from './approved-revocation.spec-helper';

/**
 * The sagas queue is only the trigger: a workflow-service whose Redis never answers still carries
 * approved applications out, from its poll (the cert-service keeps the real Redis).
 */
let p: TestPlatform;
let revocation: ApprovedRevocation;
const dir = new TempDir();

beforeAll(async () => {
  const nobody = await freePort();
  p = await startTestPlatform({
    services: ['cert', 'workflow'],
    env: { WORKFLOW_STEP_POLL_MS: '200', REDIS_COMMAND_TIMEOUT_MS: '500' },
    envFor: (s): Record<string, string> => (s === 'workflow' ? { REDIS_URL: `redis://127.0.0.1:${nobody}` } : {}),
  });
  revocation = new ApprovedRevocation(p, dir);
});
afterAll(async () => {
  await revocation?.close();
  await p?.close();
  dir.remove();
});

describe('fulfilment with Redis gone', () => {
  it('carries an approved application out from the poll', async () => {
    const id = await revocation.approve();
    await expect.poll(async () => (await revocation.get(id)).status, { timeout: 20_000, interval: 200 }).toBe('completed');
    const steps = (await p.db.query(`SELECT name, status, attempts FROM workflow.application_step WHERE application_id = $1`, [id])).rows;
    expect(steps).toEqual([{ name: 'revoke_certificate', status: 'done', attempts: 1 }]);
  });
});
