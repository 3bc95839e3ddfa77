import { describe, expect, it } from 'vitest';
import { CA_REVOCATION_REASONS as WIRE } from '@ecert/contracts';
import { CA_REVOCATION_REASONS as RULES } from '@ecert/pki';

describe('CA revocation reasons', () => {
  it('the gateway accepts exactly the reasons the CA rules know', () => {
    expect([...WIRE]).toEqual([...RULES]);
  });
});
