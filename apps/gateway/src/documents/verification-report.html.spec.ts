import { describe, expect, it } from 'vitest';
import type { DocumentVerificationReport } from '@ecert/contracts';
import { renderVerificationReportHtml } from './verification-report.html';

const report: DocumentVerificationReport = {
  id: '6b1f0c3e-7a49-4c77-9f5e-2f4f0c0e9a11',
  documentSha256: 'a'.repeat(64),
  size: 1234,
  fileName: '<script>alert(1)</script>.pdf',
  validationTime: '2026-12-01T00:00:00.000Z',
  indication: 'TOTAL_FAILED',
  reason: 'signature Signature1: the signed bytes were changed after signing',
  trustAnchors: ['C=CN, O=ecert, CN=ecert SM2 Root CA'],
  signatures: [
    {
      fieldName: 'Signature1',
      subFilter: 'ETSI.CAdES.detached',
      family: 'pades',
      indication: 'TOTAL_FAILED',
      subIndication: 'HASH_FAILURE',
      reason: 'the signed bytes were changed after signing',
      pages: [1],
      byteRange: [0, 10, 20, 30],
      signer: { subject: 'CN=南宁市"某某"科技有限公司', issuer: 'CN=ecert issuing', serial: 'ab', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z' },
      laterRevisions: [],
      checks: [{ name: 'digest', result: 'failed', detail: 'not the one signed & <b>changed</b>' }],
      warnings: ['a warning'],
    },
  ],
  policy: 'ecert document policy 1',
};

describe('renderVerificationReportHtml', () => {
  it('renders the indication, sub-indication, reason, signer and every check, escaping whatever the PDF carried', () => {
    const html = renderVerificationReportHtml(report);
    expect(html).toContain('TOTAL_FAILED');
    expect(html).toContain('HASH_FAILURE');
    expect(html).toContain('the signed bytes were changed after signing');
    expect(html).toContain('南宁市&quot;某某&quot;科技有限公司');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.pdf');
    expect(html).toContain('&lt;b&gt;changed&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
  });
});

describe('renderVerificationReportHtml: the SES_Signature and the validation time', () => {
  it('shows the seal inside the SES_Signature and which time the signature was judged at, escaped', () => {
    const sig = report.signatures[0]!;
    const html = renderVerificationReportHtml({
      ...report,
      signatures: [
        {
          ...sig,
          family: 'gbt35275',
          validatedAt: { time: '2026-11-30T08:00:00.000Z', basis: 'timestamp', detail: 'chain and revocation judged at the genTime of a trusted timestamp' },
          sesSignature: {
            indication: 'TOTAL_PASSED',
            signingTime: '2026-11-30T08:00:01.000Z',
            seal: { esId: '45010020250001', name: '南宁市<某某>科技有限公司', indication: 'TOTAL_PASSED', maker: 'CN=ecert Seal Maker 制章者' },
            validatedAt: { time: '2026-11-30T08:00:02.000Z', basis: 'ecert-record' },
            checks: [],
            warnings: [],
          },
        },
      ],
    });
    expect(html).toContain('SES_Signature');
    expect(html).toContain('45010020250001');
    expect(html).toContain('南宁市&lt;某某&gt;科技有限公司');
    expect(html).toContain('CN=ecert Seal Maker 制章者');
    expect(html).toContain('2026-11-30T08:00:00.000Z (timestamp:');
  });
});
