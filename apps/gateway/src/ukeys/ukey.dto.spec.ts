import { describe, expect, it } from 'vitest';
import type { Type } from '@nestjs/common';
import { ProblemError } from '@ecert/common';
import { createProblemValidationPipe } from '../problem/problem-validation.pipe';
import { CreateDispatchBatchDto, ImportUkeysDto, ListUkeysDto, UkeyTransitionDto } from './ukey.dto';
import { DispatchBatchIdPipe } from './dispatch-batch-id.pipe';

const pipe = createProblemValidationPipe();
const validate = <T>(metatype: Type<T>, value: unknown, type: 'body' | 'query' = 'body') => pipe.transform(value, { type, metatype }) as Promise<T>;

async function field(metatype: Type<unknown>, value: unknown, type: 'body' | 'query' = 'body'): Promise<string | undefined> {
  const e = await validate(metatype, value, type).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${e === undefined ? 'success' : String(e)}`);
  expect(e.status).toBe(400);
  return e.field;
}

const delivery = (over: Record<string, unknown> = {}) => ({ batch: 'FT-2026-07', deliveredOn: '2026-07-01', items: [{ serial: 'GX-UK-000123', vendor: '飞天诚信', model: 'ePass3003' }], ...over });

describe('UKey request shapes', () => {
  it('accepts a delivery and names the first bad field', async () => {
    await expect(validate(ImportUkeysDto, delivery({ officeRegionCode: '450000' }))).resolves.toBeDefined();
    expect(await field(ImportUkeysDto, delivery({ items: [{ serial: 'GX UK', vendor: 'v', model: 'm' }] }))).toBe('items.0.serial');
    expect(await field(ImportUkeysDto, delivery({ items: [{ serial: 'GX-UK-1', vendor: 'v' }] }))).toBe('items.0.model');
    expect(await field(ImportUkeysDto, delivery({ items: [] }))).toBe('items');
    expect(await field(ImportUkeysDto, delivery({ deliveredOn: '1 July' }))).toBe('deliveredOn');
    expect(await field(ImportUkeysDto, delivery({ officeRegionCode: '4500' }))).toBe('officeRegionCode');
    expect(await field(ImportUkeysDto, delivery({ state: 'in_use' }))).toBe('state');
  });

  it('takes the known actions only, applicationId as a UUID and nonHumanCause as a boolean; never an SO PIN', async () => {
    await expect(validate(UkeyTransitionDto, { action: 'assign', applicationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' })).resolves.toBeDefined();
    expect(await field(UkeyTransitionDto, { action: 'explode' })).toBe('action');
    expect(await field(UkeyTransitionDto, { action: 'assign', applicationId: 'APP-1' })).toBe('applicationId');
    expect(await field(UkeyTransitionDto, { action: 'report_damaged', nonHumanCause: 'yes' })).toBe('nonHumanCause');
    expect(await field(UkeyTransitionDto, { action: 'report_lost', soPin: '1234' })).toBe('soPin');
    expect(await field(UkeyTransitionDto, { action: 'report_lost', idempotencyKey: 'abcdefgh' })).toBe('idempotencyKey');
  });

  it('checks dispatch batches, list filters and batch ids', async () => {
    await expect(validate(CreateDispatchBatchDto, { officeRegionCode: '450100', serials: ['GX-UK-000123'] })).resolves.toBeDefined();
    expect(await field(CreateDispatchBatchDto, { officeRegionCode: '450100', serials: [] })).toBe('serials');
    expect(await field(CreateDispatchBatchDto, { officeRegionCode: '450100', serials: ['ok-serial', 'a b'] })).toBe('serials');
    expect(await field(ListUkeysDto, { state: 'lost' }, 'query')).toBe('state');
    expect((await validate(ListUkeysDto, { page: '2', state: 'in_use' }, 'query')).page).toBe(2);
    expect(new DispatchBatchIdPipe().transform('7C9E6679-7425-40DE-944B-E07FC1F90AE7')).toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(() => new DispatchBatchIdPipe().transform('batch-1')).toThrow(ProblemError);
  });
});
