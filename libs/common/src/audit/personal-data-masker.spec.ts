import { describe, expect, it } from 'vitest';
import { maskPersonalData } from './personal-data-masker';

describe('maskPersonalData', () => {
  it('masks mobile numbers in free text', () => {
    expect(maskPersonalData('联系电话13912345678，请回电')).not.toContain('13912345678');
    expect(maskPersonalData('tel: 13912345678')).not.toContain('13912345678');
  });

  it('leaves ids and hex serials alone that merely contain eleven digits', () => {
    // Found by the fault suite: an event id whose last group starts with a phone-like run was masked in the audit record.
    const eventId = '5f667c8e-938b-4a20-92bc-16018478921d';
    const serial = 'a13912345678b0c1d2e3f4a5b6c7d8e9';
    expect(maskPersonalData({ eventId, serial })).toEqual({ eventId, serial });
  });
});
