import { Subjects } from '@ecert/contracts';
import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { NATIONAL_SCOPE, ProblemError, requestContext, type RequestContext } from '@ecert/common';
import type { SealMakerSignCommand } from '@ecert/contracts';
import { decodeSeal } from '@ecert/ses';
import { createTestPki, testSealV4 } from '../../../../libs/ses/src/test-pki.spec-helper';
import type { CaRegistry } from '../ca/ca-registry.service';
import { SignSealInfoUseCase } from './sign-seal-info.use-case';

const SEAL_ID = '0d9c3c1e-5f4b-4c1a-9b1e-3b0e2f7a6c11';

/** The use case over a database that knows no certificate: a request that gets past the caller check ends in 422 certificate_not_found. */
function useCase(): { uc: SignSealInfoUseCase; lookups: () => number } {
  let lookups = 0;
  const ds = {
    getRepository: () => ({
      findOneBy: async () => {
        lookups++;
        return null;
      },
      insert: async () => {
        throw new Error('nothing may be signed here');
      },
    }),
  } as unknown as DataSource;
  const logger = { info() {}, warn() {} } as unknown as Logger;
  return { uc: new SignSealInfoUseCase(ds, logger, {} as CaRegistry), lookups: () => lookups };
}

async function command(purpose: SealMakerSignCommand['purpose']): Promise<SealMakerSignCommand> {
  const pki = await createTestPki();
  const seal = await testSealV4(pki, { esId: SEAL_ID.replace(/-/g, '') });
  return { data: Buffer.from(decodeSeal(seal).sealInfoDer).toString('base64'), sealId: SEAL_ID, certificateSerial: 'ab'.repeat(16), uscc: '91450100MA5L000000', accountNo: 'A1', purpose };
}

const base: RequestContext = { requestId: 'r1', actor: 'seal-service', caller: 'seal-service', regions: [NATIONAL_SCOPE], operations: [] };

async function outcome(uc: SignSealInfoUseCase, cmd: SealMakerSignCommand, ctx: RequestContext) {
  try {
    await requestContext.run(ctx, () => uc.execute(cmd));
    return 'signed';
  } catch (e) {
    if (!(e instanceof ProblemError)) throw e;
    return { status: e.status, code: e.code, field: e.field };
  }
}

describe("the seal maker signs a new seal only for a gateway caller holding 'seals:create'", () => {
  it('refuses create when the seal-service acts on its own, or for a caller without seals:create, reading nothing', async () => {
    const { uc, lookups } = useCase();
    const create = await command('create');
    expect(await outcome(uc, create, base)).toEqual({ status: 403, code: 'forbidden', field: 'purpose' });
    expect(await outcome(uc, create, { ...base, gatewayToken: 'gw.token', upstreamSubject: Subjects.seal.create, operations: ['seals:read', 'seals:verify'] })).toEqual({ status: 403, code: 'forbidden', field: 'purpose' });
    // A gateway token of another request (a seal list) of a caller who holds seals:create, replayed by the seal-service.
    expect(await outcome(uc, create, { ...base, gatewayToken: 'gw.token', upstreamSubject: Subjects.seal.list, operations: ['seals:create'] })).toEqual({ status: 403, code: 'forbidden', field: 'purpose' });
    // The seal-service's own context stating seals:create is no gateway request.
    expect(await outcome(uc, create, { ...base, operations: ['seals:create'] })).toEqual({ status: 403, code: 'forbidden', field: 'purpose' });
    expect(await outcome(uc, create, { requestId: 'r2' } as RequestContext)).toEqual({ status: 403, code: 'forbidden', field: 'purpose' });
    expect(lookups()).toBe(0);
  });

  it('goes on to the certificate checks for create inside a gateway request with seals:create, and for renewal on its own', async () => {
    const { uc, lookups } = useCase();
    const notFound = { status: 422, code: 'certificate_not_found', field: 'certificateSerial' };
    expect(await outcome(uc, await command('create'), { ...base, gatewayToken: 'gw.token', upstreamSubject: Subjects.seal.create, operations: ['seals:create'] })).toEqual(notFound);
    expect(await outcome(uc, await command('renewal'), base)).toEqual(notFound);
    expect(lookups()).toBe(2);
  });
});
