import { describe, expect, it } from 'vitest';
import { assertDeclaredType } from './declared-type-checker';
import { inspectMaterial } from './material-inspector';
import { MaterialRejectedError } from './material-rejected-error';
import { buildPdf, testPng } from './test-materials.spec-helper';

describe('assertDeclaredType', () => {
  it('accepts no declaration, octet-stream, the right type, its parameters, case and common aliases', () => {
    for (const declared of [undefined, '', 'application/octet-stream', 'application/pdf', 'Application/PDF; name="表.pdf"', 'application/x-pdf']) {
      expect(() => assertDeclaredType(declared, 'application/pdf')).not.toThrow();
    }
    expect(() => assertDeclaredType('image/jpg', 'image/jpeg')).not.toThrow();
    expect(() => assertDeclaredType('image/x-png', 'image/png')).not.toThrow();
  });

  it('refuses a declaration that contradicts the content', () => {
    // A PNG uploaded as "scan.pdf" with Content-Type application/pdf: the content says PNG.
    const actual = inspectMaterial(testPng(), { maxBytes: 1 << 20 }).mediaType;
    expect(() => assertDeclaredType('application/pdf', actual)).toThrow(MaterialRejectedError);
    expect(() => assertDeclaredType('application/pdf', actual)).toThrow(/declared as "application\/pdf" but its content is image\/png/);
    const pdf = inspectMaterial(buildPdf(), { maxBytes: 1 << 20 }).mediaType;
    for (const declared of ['image/png', 'text/plain', 'text/html']) {
      try {
        assertDeclaredType(declared, pdf);
        expect.unreachable();
      } catch (err) {
        expect((err as MaterialRejectedError).code).toBe('material_type_mismatch');
      }
    }
  });
});
