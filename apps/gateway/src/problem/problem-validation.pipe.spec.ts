import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ProblemError } from '@ecert/common';
import { createProblemValidationPipe } from './problem-validation.pipe';

class ItemDto {
  @IsString()
  @MaxLength(8)
  name: string;
}

class SampleDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1095)
  validityDays?: number;

  @IsOptional()
  @IsString()
  @Length(18, 18)
  @Matches(/^9/)
  code?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ItemDto)
  item?: ItemDto;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items?: ItemDto[];

  @IsOptional()
  @IsBoolean()
  flag?: boolean;

  @IsOptional()
  @IsIn(['unit', 'personal'])
  profile?: string;

  /** No type decorator: the declared type speaks. */
  @IsOptional()
  @MaxLength(4)
  note?: string;
}

class QueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;
}

const pipe = createProblemValidationPipe();

async function refusal(value: unknown, type: 'body' | 'query' = 'body', metatype: new () => unknown = SampleDto): Promise<{ field?: string; detail?: string; status: number }> {
  try {
    await pipe.transform(value, { type, metatype });
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    const p = e as ProblemError;
    return { field: p.field, detail: p.detail, status: p.status };
  }
  throw new Error(`accepted: ${JSON.stringify(value)}`);
}

describe('the validation message', () => {
  it('is the type first, whatever the decorators below it say', async () => {
    expect(await refusal({ validityDays: '30' })).toEqual({ status: 400, field: 'validityDays', detail: 'validityDays must be an integer number' });
    expect(await refusal({ validityDays: true })).toMatchObject({ field: 'validityDays', detail: 'validityDays must be an integer number' });
    expect(await refusal({ code: 918 })).toMatchObject({ field: 'code', detail: 'code must be a string' });
    expect(await refusal({ flag: 'true' })).toMatchObject({ field: 'flag', detail: 'flag must be a boolean value' });
  });

  it('is then the first constraint as written in the DTO', async () => {
    expect(await refusal({ validityDays: 0 })).toMatchObject({ detail: 'validityDays must not be less than 1' });
    expect(await refusal({ validityDays: 2000 })).toMatchObject({ detail: 'validityDays must not be greater than 1095' });
    // Length is written above Matches: a short code that also does not start with 9 is "too short".
    expect(await refusal({ code: '123' })).toMatchObject({ detail: 'code must be longer than or equal to 18 characters' });
  });

  it('says object or array where one was expected, and names nested fields by their path', async () => {
    expect(await refusal({ item: [{ name: 'a' }] })).toMatchObject({ field: 'item', detail: 'item must be an object' });
    expect(await refusal({ item: 'x' })).toMatchObject({ field: 'item', detail: 'item must be an object' });
    expect(await refusal({ items: { name: 'a' } })).toMatchObject({ field: 'items', detail: 'items must be an array' });
    expect(await refusal({ items: [1] })).toMatchObject({ field: 'items.0', detail: 'items.0 must be an object' });
    expect(await refusal({ item: { name: 7 } })).toMatchObject({ field: 'item.name', detail: 'item.name must be a string' });
    expect(await refusal({ items: [{ name: 'ok' }, { name: 'much too long' }] })).toMatchObject({ field: 'items.1.name', detail: 'items.1.name must be shorter than or equal to 8 characters' });
  });

  it('keeps the list of allowed values, and falls back on the declared type', async () => {
    expect(await refusal({ profile: 5 })).toMatchObject({ field: 'profile', detail: 'profile must be one of the following values: unit, personal' });
    expect(await refusal({ note: 12345 })).toMatchObject({ field: 'note', detail: 'note must be a string' });
  });

  it('refuses an array or a bare value as the body, and unknown properties by name', async () => {
    expect(await refusal([{ validityDays: 1 }])).toEqual({ status: 400, field: 'body', detail: 'The body must be a JSON object' });
    expect(await refusal('x')).toMatchObject({ field: 'body' });
    expect(await refusal({ extra: 1 })).toMatchObject({ field: 'extra', detail: 'property extra should not exist' });
  });

  it('does not convert JSON body values', async () => {
    const ok = (await pipe.transform({ validityDays: 30, flag: false }, { type: 'body', metatype: SampleDto })) as SampleDto;
    expect(ok).toBeInstanceOf(SampleDto);
    expect(ok.validityDays).toBe(30);
  });
});

describe('query numbers', () => {
  it('are converted from plain decimals', async () => {
    expect(((await pipe.transform({ page: '12' }, { type: 'query', metatype: QueryDto })) as QueryDto).page).toBe(12);
  });

  it('are refused as "must be an integer number" otherwise', async () => {
    for (const page of ['abc', '', ' 1', '1e3', '0x10', 'Infinity', ['1', '2']]) {
      expect(await refusal({ page }, 'query', QueryDto), String(page)).toMatchObject({ field: 'page', detail: 'page must be an integer number' });
    }
  });
});
