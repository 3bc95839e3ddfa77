import { describe, expect, it } from 'vitest';
import { CA_REVOCATION_REASONS, firstRevokedInChain, planCaRevocation } from './ca-revocation';

describe('CA certificate revocation', () => {
  it('refuses to revoke a root, naming caId', () => {
    expect(planCaRevocation('root', 'keyCompromise', false)).toMatchObject({ ok: false, status: 400, field: 'caId' });
  });

  it('accepts the CA reasons, cACompromise included, and defaults to unspecified', () => {
    for (const reason of CA_REVOCATION_REASONS) expect(planCaRevocation('issuing', reason, false)).toMatchObject({ ok: true, reason });
    expect(planCaRevocation('ocsp', undefined, false)).toMatchObject({ ok: true, reason: 'unspecified' });
  });

  it('refuses certificateHold, removeFromCRL and unknown reasons, naming reason', () => {
    for (const reason of ['certificateHold', 'removeFromCRL', 'bored', 7]) {
      expect(planCaRevocation('seal-maker', reason, false)).toMatchObject({ ok: false, status: 400, field: 'reason' });
    }
  });

  it('refuses a second revocation as a conflict', () => {
    expect(planCaRevocation('ocsp', 'superseded', true)).toMatchObject({ ok: false, status: 409 });
  });

  it('replaces OCSP signers and seal makers at init; an issuing CA takes its subordinates down', () => {
    expect(planCaRevocation('ocsp', 'keyCompromise', false)).toMatchObject({ replacedAtInit: true, stopsSubordinates: false });
    expect(planCaRevocation('seal-maker', 'keyCompromise', false)).toMatchObject({ replacedAtInit: true, stopsSubordinates: false });
    expect(planCaRevocation('issuing', 'cACompromise', false)).toMatchObject({ replacedAtInit: false, stopsSubordinates: true });
  });

  it('finds the first revoked CA of a chain', () => {
    const chain = [{ id: 'sm2-ocsp', revoked: false }, { id: 'sm2-issuing', revoked: true }, { id: 'sm2-root', revoked: false }];
    expect(firstRevokedInChain(chain)?.id).toBe('sm2-issuing');
    expect(firstRevokedInChain(chain.slice(0, 1))).toBeUndefined();
  });
});
