import { describe, expect, it } from 'vitest';
import { ProblemError } from '@ecert/common';
import { sealTypeCode, SEAL_KIND_PROFILE } from '@ecert/contracts';
import { decodeBase64, imageProblem, normalizeSerial, optionalDate } from './seal-input';
import { effectiveSealStatus } from './seal-view';
import { SealImageError } from '../images';

function problem(fn: () => unknown): ProblemError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return e as ProblemError;
  }
  throw new Error('expected a ProblemError');
}

describe('seal request checks', () => {
  it('decodes strict base64 (whitespace and data: URLs tolerated) and names the field otherwise', () => {
    expect(decodeBase64('aGVsbG8=', 'image', 100)!.toString()).toBe('hello');
    expect(decodeBase64('aGVs\nbG8=', 'image', 100)!.toString()).toBe('hello');
    expect(decodeBase64('data:image/png;base64,aGVsbG8=', 'image', 100)!.toString()).toBe('hello');
    expect(problem(() => decodeBase64('aGVsbG8', 'image', 100))).toMatchObject({ status: 400, field: 'image' });
    expect(problem(() => decodeBase64('***', 'data', 100))).toMatchObject({ status: 400, field: 'data' });
    expect(problem(() => decodeBase64(undefined, 'image', 100))).toMatchObject({ status: 400, field: 'image' });
    expect(problem(() => decodeBase64(42, 'image', 100))).toMatchObject({ status: 400, field: 'image' });
    expect(problem(() => decodeBase64(Buffer.alloc(200).toString('base64'), 'image', 100))).toMatchObject({ status: 413, field: 'image' });
    expect(decodeBase64(undefined, 'document', 100, false)).toBeUndefined();
  });

  it('normalises serials and dates', () => {
    expect(normalizeSerial(' 0A:1B:2c ')).toBe('0a1b2c');
    expect(problem(() => normalizeSerial('xyz'))).toMatchObject({ field: 'certificateSerial' });
    expect(optionalDate('2026-01-02T03:04:05.678Z', 'validFrom')!.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(optionalDate(undefined, 'validFrom')).toBeUndefined();
    expect(problem(() => optionalDate('tomorrow', 'validTo'))).toMatchObject({ field: 'validTo' });
  });

  it('turns picture errors into 400 problems with their code', () => {
    const p = imageProblem(new SealImageError('image_empty', 'blank'), 'image') as ProblemError;
    expect(p).toMatchObject({ status: 400, code: 'image_empty', field: 'image', detail: 'blank' });
    const other = new Error('x');
    expect(imageProblem(other, 'image')).toBe(other);
  });
});

describe('seal kinds and statuses', () => {
  it('binds the official family to unit certificates and position/personal seals to personal ones', () => {
    expect(['official', 'department', 'branch', 'special'].map((k) => SEAL_KIND_PROFILE[k as 'official'])).toEqual(['unit', 'unit', 'unit', 'unit']);
    expect([SEAL_KIND_PROFILE.position, SEAL_KIND_PROFILE.personal]).toEqual(['personal', 'personal']);
  });

  it('writes the common GB/T 38540 type codes', () => {
    expect(sealTypeCode('official')).toBe(1);
    expect(sealTypeCode('special', 'finance')).toBe(2);
    expect(sealTypeCode('special', 'invoice')).toBe(3);
    expect(sealTypeCode('special', 'contract')).toBe(4);
    expect(sealTypeCode('special', 'customs')).toBe(5);
  });

  it('derives expired from validTo for live seals only', () => {
    const past = new Date(Date.now() - 1000);
    const future = new Date(Date.now() + 60_000);
    expect(effectiveSealStatus({ status: 'active', validTo: past })).toBe('expired');
    expect(effectiveSealStatus({ status: 'suspended', validTo: past })).toBe('expired');
    expect(effectiveSealStatus({ status: 'revoked', validTo: past })).toBe('revoked');
    expect(effectiveSealStatus({ status: 'active', validTo: future })).toBe('active');
  });
});
