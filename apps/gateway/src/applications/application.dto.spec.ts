import { describe, expect, it } from 'vitest';
import type { Type } from '@nestjs/common';
import { ProblemError } from '@ecert/common';
import { makeResidentId, makeUscc } from '../../../../test/support/fixtures';
import { createProblemValidationPipe } from '../problem/problem-validation.pipe';
import { CreateApplicationDto, DecideApplicationDto, ListApplicationsDto, MaterialUploadQueryDto, RecordCollectionDto, RecordProductionDto } from './application.dto';
import { ApplicationIdPipe } from './application-id.pipe';
import { expectedVersionOf } from './entity-version.header';
import { sanitiseFileName } from './material-file-name';
import { CalendarYearDto } from '../calendar/calendar.dto';
import { CalendarYearPipe } from '../calendar/calendar-year.pipe';

const pipe = createProblemValidationPipe();

function validate<T>(metatype: Type<T>, value: unknown, type: 'body' | 'query' = 'body'): Promise<T> {
  return pipe.transform(value, { type, metatype }) as Promise<T>;
}

/** The 400 problem a value is refused with. */
async function refusal(metatype: Type<unknown>, value: unknown, type: 'body' | 'query' = 'body'): Promise<ProblemError> {
  const e = await validate(metatype, value, type).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${e === undefined ? 'success' : String(e)}`);
  expect(e.status).toBe(400);
  return e;
}

const USCC = makeUscc('450100');
const RESIDENT_ID = makeResidentId('450103', '19900307');
/** The same code with its last (check) character changed. */
const wrongCheck = (code: string) => `${code.slice(0, 17)}${code[17] === '1' ? '2' : '1'}`;

function application(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'apply',
    unit: { name: '南宁市某某科技有限公司', address: '南宁市青秀区民族大道100号', postalCode: '530022', uscc: USCC, regionCode: '450103', accountNo: '4501000001' },
    handler: { name: '张三', idNumber: RESIDENT_ID, phone: '13800138000', email: 'zhangsan@example.cn' },
    seals: [{ kind: 'official', name: '南宁市某某科技有限公司', widthMm: 42, heightMm: 42 }],
    ...over,
  };
}

describe('CreateApplicationDto', () => {
  it('takes a complete 受理表 and keeps it as sent', async () => {
    const dto = await validate(CreateApplicationDto, application({ channel: 'on_site', seals: [{ kind: 'special', purpose: 'contract', name: '合同专用章' }] }));
    expect(dto).toBeInstanceOf(CreateApplicationDto);
    expect(dto.unit.uscc).toBe(USCC);
    expect(dto.seals?.[0]).toMatchObject({ kind: 'special', purpose: 'contract' });
  });

  it('takes the lifecycle fields of the other types', async () => {
    await expect(
      validate(CreateApplicationDto, application({ type: 'revoke', seals: undefined, targetSerial: '0a1b2c', targetUkeySerial: 'GX-UK-0001', revocationCause: 'unit_dissolved', statement: '单位注销' })),
    ).resolves.toBeDefined();
    await expect(validate(CreateApplicationDto, application({ type: 'change', targetSerial: 'ff', changes: ['name', 'people'] }))).resolves.toBeDefined();
    await expect(validate(CreateApplicationDto, application({ type: 'medium_replacement', targetSerial: 'ff', statement: '介质损坏', damageNotUserCaused: true }))).resolves.toBeDefined();
  });

  it.each([
    ['unit.uscc', { unit: { ...(application().unit as object), uscc: wrongCheck(USCC) } }, /统一社会信用代码|USCC/],
    ['unit.regionCode', { unit: { ...(application().unit as object), regionCode: '459999' } }, /region/i],
    ['unit.postalCode', { unit: { ...(application().unit as object), postalCode: '5300' } }, /6 digits/],
    ['handler.idNumber', { handler: { ...(application().handler as object), idNumber: wrongCheck(RESIDENT_ID) } }, /身份证|Resident ID/],
    ['handler.phone', { handler: { ...(application().handler as object), phone: '0771-5551234' } }, /mobile/],
    ['handler.email', { handler: { ...(application().handler as object), email: 'not an address' } }, /e-mail/i],
  ])('refuses a bad national code, naming %s', async (field, over, message) => {
    const e = await refusal(CreateApplicationDto, application(over));
    expect(e.field).toBe(field);
    expect(e.detail).toMatch(message);
  });

  it('refuses unknown fields, at the top and nested', async () => {
    expect((await refusal(CreateApplicationDto, application({ certificateSerial: 'ff' }))).field).toBe('certificateSerial');
    expect((await refusal(CreateApplicationDto, application({ unit: { ...(application().unit as object), legalPerson: '李四' } }))).field).toBe('unit.legalPerson');
    expect((await refusal(CreateApplicationDto, application({ seals: [{ kind: 'official', name: 'x', colour: 'red' }] }))).field).toBe('seals.0.colour');
  });

  it('refuses a missing part, a bad enum and seals bound to a personal certificate', async () => {
    const { handler: _h, ...noHandler } = application();
    expect((await refusal(CreateApplicationDto, noHandler)).field).toBe('handler');
    expect((await refusal(CreateApplicationDto, application({ type: 'buy' }))).field).toBe('type');
    expect((await refusal(CreateApplicationDto, application({ channel: 'fax' }))).field).toBe('channel');
    expect((await refusal(CreateApplicationDto, application({ seals: [{ kind: 'personal', name: '张三' }] }))).field).toBe('seals.0.kind');
    expect((await refusal(CreateApplicationDto, application({ seals: [{ kind: 'special', name: '专用章' }] }))).field).toBe('seals.0.purpose');
    expect((await refusal(CreateApplicationDto, application({ seals: [{ kind: 'official', name: 'x', widthMm: 200 }] }))).field).toBe('seals.0.widthMm');
    expect((await refusal(CreateApplicationDto, application({ seals: ['official'] }))).field).toBe('seals');
    expect((await refusal(CreateApplicationDto, application({ changes: ['colour'] }))).field).toBe('changes');
    expect((await refusal(CreateApplicationDto, application({ targetSerial: 'not-hex' }))).field).toBe('targetSerial');
    expect((await refusal(CreateApplicationDto, application({ justification: 'short' }))).field).toBe('justification');
    expect((await refusal(CreateApplicationDto, application({ damageNotUserCaused: 'yes' }))).field).toBe('damageNotUserCaused');
  });
});

describe('ListApplicationsDto', () => {
  it("reads overdue 'true'/'false' as a boolean and pages as numbers", async () => {
    const q = await validate(ListApplicationsDto, { overdue: 'true', page: '2', pageSize: '50', status: 'under_review', tier: 'city' }, 'query');
    expect(q).toMatchObject({ overdue: true, page: 2, pageSize: 50, status: 'under_review', tier: 'city' });
    expect((await validate(ListApplicationsDto, { overdue: 'false' }, 'query')).overdue).toBe(false);
  });

  it('refuses anything else, naming the parameter', async () => {
    expect((await refusal(ListApplicationsDto, { overdue: 'yes' }, 'query')).field).toBe('overdue');
    expect((await refusal(ListApplicationsDto, { status: 'lost' }, 'query')).field).toBe('status');
    expect((await refusal(ListApplicationsDto, { uscc: '123' }, 'query')).field).toBe('uscc');
    expect((await refusal(ListApplicationsDto, { regionCode: '45' }, 'query')).field).toBe('regionCode');
    expect((await refusal(ListApplicationsDto, { pageSize: '500' }, 'query')).field).toBe('pageSize');
    expect((await refusal(ListApplicationsDto, { sort: 'id' }, 'query')).field).toBe('sort');
  });
});

describe('DecideApplicationDto', () => {
  it('approves without a reason', async () => {
    await expect(validate(DecideApplicationDto, { decision: 'approve', justificationAccepted: true })).resolves.toMatchObject({ decision: 'approve' });
  });

  it('needs a reason to reject or return', async () => {
    for (const decision of ['reject', 'return']) {
      const e = await refusal(DecideApplicationDto, { decision });
      expect(e.field).toBe('reason');
      expect(e.detail).toContain('reason is required');
      expect((await refusal(DecideApplicationDto, { decision, reason: '   ' })).field).toBe('reason');
    }
    await expect(validate(DecideApplicationDto, { decision: 'return', reason: '营业执照复印件未加盖公章', missing: ['uscc_copy'] })).resolves.toBeDefined();
  });

  it('refuses unknown decisions and material kinds', async () => {
    expect((await refusal(DecideApplicationDto, { decision: 'maybe' })).field).toBe('decision');
    expect((await refusal(DecideApplicationDto, { decision: 'return', reason: 'x', missing: ['photo'] })).field).toBe('missing');
  });
});

describe('production and collection', () => {
  it('takes a UKey serial with an optional CSR', async () => {
    await expect(validate(RecordProductionDto, { ukeySerial: 'GX-UK-000123' })).resolves.toBeDefined();
    expect((await refusal(RecordProductionDto, { ukeySerial: 'a b' })).field).toBe('ukeySerial');
  });

  it("checks the collector's resident ID", async () => {
    await expect(validate(RecordCollectionDto, { collector: { name: '张三', idNumber: RESIDENT_ID } })).resolves.toBeDefined();
    expect((await refusal(RecordCollectionDto, { collector: { name: '张三', idNumber: '123' } })).field).toBe('collector.idNumber');
    expect((await refusal(RecordCollectionDto, {})).field).toBe('collector');
  });
});

describe('upload query', () => {
  it('takes a known kind and refuses others', async () => {
    await expect(validate(MaterialUploadQueryDto, { kind: 'uscc_copy' }, 'query')).resolves.toMatchObject({ kind: 'uscc_copy' });
    expect((await refusal(MaterialUploadQueryDto, { kind: 'photo' }, 'query')).field).toBe('kind');
  });
});

describe('calendar', () => {
  it('takes a year of dates and refuses a malformed one', async () => {
    await expect(validate(CalendarYearDto, { holidays: ['2027-01-01'], workdays: [], source: '国办发明电' })).resolves.toBeDefined();
    expect((await refusal(CalendarYearDto, { holidays: ['2027-1-1'], workdays: [] })).field).toBe('holidays');
    expect((await refusal(CalendarYearDto, { holidays: [] })).field).toBe('workdays');
    expect((await refusal(CalendarYearDto, { holidays: [], workdays: [], year: 2027 })).field).toBe('year');
  });

  it('takes :year from 2000 to 2100 only', () => {
    expect(new CalendarYearPipe().transform('2027')).toBe(2027);
    // What the global validation pipe has already made of the path segment.
    expect(new CalendarYearPipe().transform(2027)).toBe(2027);
    for (const bad of ['1999', '2101', '27', '2027.5', 'abcd', 1999, Number.NaN, 2027.5]) {
      expect(() => new CalendarYearPipe().transform(bad)).toThrow(expect.objectContaining({ status: 400, field: 'year' }));
    }
  });
});

describe('path and headers', () => {
  it(':id is a UUID, else a 400 naming id', () => {
    expect(new ApplicationIdPipe().transform('0B9F3C56-8E2A-4D1B-9C3E-5A6F7B8C9D0E')).toBe('0b9f3c56-8e2a-4d1b-9c3e-5a6f7b8c9d0e');
    for (const bad of ['42', '../etc/passwd', '0b9f3c56-8e2a-4d1b-9c3e-5a6f7b8c9d0', '']) {
      expect(() => new ApplicationIdPipe().transform(bad)).toThrow(expect.objectContaining({ status: 400, field: 'id' }));
    }
  });

  it('If-Match is the version, quoted or bare', () => {
    expect(expectedVersionOf('"3"')).toBe(3);
    expect(expectedVersionOf(' 12 ')).toBe(12);
    expect(expectedVersionOf(undefined)).toBeUndefined();
    expect(expectedVersionOf('*')).toBeUndefined();
    for (const bad of ['W/"3"', '"3", "4"', 'three', '"-1"', '']) {
      expect(() => expectedVersionOf(bad)).toThrow(expect.objectContaining({ status: 400, field: 'If-Match' }));
    }
  });
});

describe('sanitiseFileName', () => {
  it('keeps a plain name, Chinese included', () => {
    expect(sanitiseFileName('营业执照复印件.pdf')).toBe('营业执照复印件.pdf');
  });

  it('drops directories, controls, direction overrides and reserved characters', () => {
    expect(sanitiseFileName('C:\\Users\\张三\\scan.png')).toBe('scan.png');
    expect(sanitiseFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitiseFileName('a\r\nb"c;d.pdf')).toBe('ab_c_d.pdf');
    expect(sanitiseFileName('.hidden.pdf')).toBe('hidden.pdf');
    expect(sanitiseFileName(' .. ')).toBeUndefined();
    expect(sanitiseFileName(undefined)).toBeUndefined();
  });

  it('shortens to 255 characters, keeping the extension', () => {
    const long = `${'长'.repeat(300)}.pdf`;
    const s = sanitiseFileName(long)!;
    expect([...s]).toHaveLength(255);
    expect(s.endsWith('.pdf')).toBe(true);
  });
});
