import type { DocumentIndication, DocumentVerificationReport, SignatureReportView } from '@ecert/contracts';

const escape = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LABEL: Record<DocumentIndication, string> = {
  TOTAL_PASSED: '验证通过 (TOTAL_PASSED)',
  TOTAL_FAILED: '验证失败 (TOTAL_FAILED)',
  INDETERMINATE: '无法确定 (INDETERMINATE)',
};
const COLOUR: Record<DocumentIndication, string> = { TOTAL_PASSED: '#1a7f37', TOTAL_FAILED: '#cf222e', INDETERMINATE: '#9a6700' };
const RESULT_COLOUR: Record<string, string> = { passed: '#1a7f37', failed: '#cf222e', indeterminate: '#9a6700', warning: '#9a6700' };

function badge(indication: DocumentIndication, sub?: string): string {
  return `<span class="badge" style="background:${COLOUR[indication]}">${escape(LABEL[indication])}${sub ? ` · ${escape(sub)}` : ''}</span>`;
}

function row(label: string, value: string | undefined): string {
  return value ? `<tr><th>${escape(label)}</th><td>${value}</td></tr>` : '';
}

function signature(s: SignatureReportView, i: number): string {
  const checks = s.checks
    .map((c) => `<tr><td>${escape(c.name)}</td><td style="color:${RESULT_COLOUR[c.result] ?? '#000'}">${escape(c.result)}</td><td>${escape(c.detail)}</td></tr>`)
    .join('');
  const status = s.certificateStatus === undefined ? undefined : s.certificateStatus === 'unknown' ? 'unknown' : `${s.certificateStatus.status}${s.certificateStatus.revokedAt ? ` (revoked ${s.certificateStatus.revokedAt})` : ''}${s.certificateStatus.frozenAt ? ` (frozen ${s.certificateStatus.frozenAt})` : ''}`;
  return `<section>
<h2>${i + 1}. ${escape(s.fieldName)} ${badge(s.indication, s.subIndication)}</h2>
<p class="reason">${escape(s.reason)}</p>
<table class="facts">
${row('Signer 签署者', s.signer ? escape(s.signer.subject) : undefined)}
${row('Issuer 颁发者', s.signer ? escape(s.signer.issuer) : undefined)}
${row('Serial 序列号', s.signer ? `<code>${escape(s.signer.serial)}</code>` : undefined)}
${row('Validity 有效期', s.signer ? `${escape(s.signer.notBefore)} — ${escape(s.signer.notAfter)}` : undefined)}
${row('Certificate status 证书状态', status ? escape(status) : undefined)}
${row('Chain 证书链', s.chain?.length ? s.chain.map(escape).join(' → ') : undefined)}
${row('Seal 印章', s.seal ? `${escape(s.seal.name)} (${escape(s.seal.kind)}, ${escape(s.seal.status)}) — ${escape(s.seal.unitName)} ${escape(s.seal.uscc)}` : undefined)}
${row(
  'SES_Signature 电子签章 (GB/T 38540)',
  s.sesSignature
    ? `${badge(s.sesSignature.indication)} seal ${escape(s.sesSignature.seal.name)} (esID <code>${escape(s.sesSignature.seal.esId)}</code>, ${escape(s.sesSignature.seal.indication)}${s.sesSignature.seal.maker ? `, made by ${escape(s.sesSignature.seal.maker)}` : ''})${s.sesSignature.signingTime ? `, signed ${escape(s.sesSignature.signingTime)}` : ''}`
    : undefined,
)}
${row('Validated at 验证时间', s.validatedAt ? `${escape(s.validatedAt.time)} (${escape(s.validatedAt.basis)}: ${escape(s.validatedAt.detail)})` : undefined)}
${row('Sealed by ecert 平台用印记录', s.ecertRecord ? `${escape(s.ecertRecord.sealedAt)} (${escape(s.ecertRecord.mode)}), document ${escape(s.ecertRecord.documentId)}` : undefined)}
${row('Container 签名格式', `${escape(s.subFilter ?? '—')}${s.family ? ` · ${escape(s.family)}` : ''}${s.digestAlgorithm ? ` · ${escape(s.digestAlgorithm)}` : ''}`)}
${row('ByteRange', `<code>[${s.byteRange.map(escape).join(' ')}]</code>`)}
${row('Pages 页', s.pages.length ? s.pages.map(escape).join(', ') : undefined)}
${row('Later revisions 后续修订', s.laterRevisions.length ? s.laterRevisions.map((r) => (r.addsOnlySignaturesOrAnnotations ? 'signatures/annotations only' : `changed ${r.changedObjects} object(s)`)).map(escape).join('; ') : 'none')}
</table>
<table class="checks"><thead><tr><th>check</th><th>result</th><th>detail</th></tr></thead><tbody>${checks}</tbody></table>
${s.warnings.length ? `<ul class="warnings">${s.warnings.map((w) => `<li>${escape(w)}</li>`).join('')}</ul>` : ''}
</section>`;
}

/**
 * The verification report for a person (电子签章验证报告): the overall result, then each signature
 * with its indication, reason, signer, chain, seal and every check. Static HTML with inline style
 * only: served with a CSP that allows nothing else.
 */
export function renderVerificationReportHtml(r: DocumentVerificationReport): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>验证报告 ${escape(r.id)}</title>
<style>
body{font-family:system-ui,"Noto Sans SC",sans-serif;margin:2rem;color:#1f2328;max-width:64rem}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:.1rem .5rem;font-size:.85rem;vertical-align:middle}
table{border-collapse:collapse;margin:.5rem 0;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
table.facts th{width:14rem;background:#f6f8fa}code{font-size:.85rem;word-break:break-all}.reason{font-weight:600}.warnings{color:#9a6700}
section{border-top:2px solid #d0d7de;margin-top:1.5rem}
</style></head><body>
<h1>电子签章验证报告 · Signature verification report</h1>
<p>${badge(r.indication)} <span class="reason">${escape(r.reason)}</span></p>
<table class="facts">
${row('Report 报告', `<code>${escape(r.id)}</code>`)}
${row('Document 文件', `${escape(r.fileName ?? '')} <code>SHA-256 ${escape(r.documentSha256)}</code>, ${escape(r.size)} bytes`)}
${row('Validation time 验证时间', escape(r.validationTime))}
${row('Trust anchors 信任锚', r.trustAnchors.map(escape).join('<br>'))}
${row('Policy 验证策略', escape(r.policy))}
${row('Signatures 签名数', escape(r.signatures.length))}
</table>
${r.signatures.map(signature).join('\n')}
</body></html>
`;
}
