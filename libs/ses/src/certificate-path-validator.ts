import { parseCertificate, type ParsedCertificate } from './certificate-parser';
import { verifySignatureValue } from './signature-value-verifier';
import type { CheckResult } from './verification-report';

export interface CertificatePathInput {
  /** The end-entity certificate (seal maker or signer), DER or parsed. */
  readonly certificate: Uint8Array | ParsedCertificate;
  /** Trusted certificates (roots, or any certificate the relying party trusts directly). */
  readonly trustAnchors: readonly Uint8Array[];
  /** Untrusted CA certificates that may complete the chain. */
  readonly intermediates?: readonly Uint8Array[];
  /** Validation time for every certificate's validity period. */
  readonly at: Date;
}

export interface CertificatePathResult {
  readonly result: CheckResult;
  readonly detail: string;
  /** From the end entity to the anchor, when a path was found. */
  readonly path: readonly ParsedCertificate[];
}

const MAX_DEPTH = 8;

/**
 * Builds and checks a path from the certificate to one of the trust anchors: names chain (byte-equal
 * DER, else the same rendered name), AKI/SKI agree when both are present, every signature verifies
 * with the issuer's key through @ecert/pki (so SM2 chains use the SM2 verifier with the standard ID,
 * not OpenSSL), every certificate is within its validity period at `at`, issuers are CAs allowed to
 * sign certificates, and pathLenConstraint holds. Revocation is not checked here (no network in this
 * library): callers that need it check CRL/OCSP on the returned path.
 *
 * No anchors, or no issuer found: indeterminate (unknown, not proven bad). A broken signature,
 * an expired certificate or a non-CA issuer: failed.
 */
export function validateCertificatePath(input: CertificatePathInput): CertificatePathResult {
  const leaf = input.certificate instanceof Uint8Array ? parseCertificate(input.certificate) : input.certificate;
  const anchors = parseAll(input.trustAnchors);
  const intermediates = parseAll(input.intermediates ?? []);
  if (anchors.length === 0) {
    return { result: 'indeterminate', detail: `no trust anchors given; chain of "${leaf.subject}" not checked`, path: [] };
  }

  const problems: { result: CheckResult; detail: string }[] = [];
  const found = search(leaf, [], anchors, intermediates, problems);
  if (!found) {
    const failed = problems.find((p) => p.result === 'failed');
    if (failed) return { result: 'failed', detail: failed.detail, path: [] };
    const unknown = problems.find((p) => p.result === 'indeterminate');
    if (unknown) return { result: 'indeterminate', detail: unknown.detail, path: [] };
    return {
      result: 'indeterminate',
      detail: `no path to a trust anchor: issuer "${leaf.issuer}" of "${leaf.subject}" is not among the anchors or intermediates`,
      path: [],
    };
  }

  for (const [i, cert] of found.entries()) {
    if (input.at < cert.notBefore || input.at > cert.notAfter) {
      return {
        result: 'failed',
        detail: `"${cert.subject}" is not valid at ${input.at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
        path: found,
      };
    }
    if (i === 0) continue;
    const isAnchor = i === found.length - 1;
    // RFC 5280 §6.1.4: a v3 issuer must assert cA; anchors are trusted as configured, unless they deny being a CA.
    if (cert.isCa === false || (!isAnchor && cert.isCa !== true)) {
      return { result: 'failed', detail: `issuer "${cert.subject}" is not a CA certificate (basicConstraints)`, path: found };
    }
    if (cert.keyUsage !== undefined && !(cert.keyUsage & KEY_CERT_SIGN)) {
      return { result: 'failed', detail: `issuer "${cert.subject}" keyUsage lacks keyCertSign`, path: found };
    }
    if (cert.pathLenConstraint !== undefined && i - 1 > cert.pathLenConstraint) {
      return { result: 'failed', detail: `pathLenConstraint ${cert.pathLenConstraint} of "${cert.subject}" exceeded`, path: found };
    }
  }
  const anchor = found[found.length - 1]!;
  const via = found.length > 2 ? ` via ${found.slice(1, -1).map((c) => `"${c.subject}"`).join(', ')}` : '';
  return {
    result: 'passed',
    detail:
      found.length === 1
        ? `"${leaf.subject}" is itself a trust anchor and valid at ${input.at.toISOString()} (revocation not checked)`
        : `chains to trust anchor "${anchor.subject}"${via}; all valid at ${input.at.toISOString()} (revocation not checked)`,
    path: found,
  };
}

const KEY_CERT_SIGN = 32; // KeyUsageFlags.keyCertSign

function search(
  cert: ParsedCertificate,
  below: readonly ParsedCertificate[],
  anchors: readonly ParsedCertificate[],
  intermediates: readonly ParsedCertificate[],
  problems: { result: CheckResult; detail: string }[],
): ParsedCertificate[] | undefined {
  const chain = [...below, cert];
  if (anchors.some((a) => sameBytes(a.der, cert.der))) return chain;
  if (chain.length > MAX_DEPTH) return undefined;
  const candidates = [...anchors.map((c) => ({ c, anchor: true })), ...intermediates.map((c) => ({ c, anchor: false }))].filter(
    ({ c }) =>
      !chain.some((x) => sameBytes(x.der, c.der)) &&
      sameName(c.subjectDer, c.subject, cert.issuerDer, cert.issuer) &&
      (!cert.authorityKeyId || !c.subjectKeyId || sameBytes(cert.authorityKeyId, c.subjectKeyId)),
  );
  for (const { c, anchor } of candidates) {
    const sig = verifySignatureValue({
      spki: c.spki,
      algorithmOid: cert.signatureAlgorithmOid,
      ...(cert.signatureAlgorithmParameters ? { algorithmParameters: cert.signatureAlgorithmParameters } : {}),
      data: cert.tbs,
      signature: cert.signatureValue,
    });
    if (sig.result !== 'passed') {
      problems.push({ result: sig.result, detail: `certificate "${cert.subject}" issued by "${c.subject}": ${sig.detail}` });
      continue;
    }
    if (anchor) return [...chain, c];
    const deeper = search(c, chain, anchors, intermediates, problems);
    if (deeper) return deeper;
  }
  return undefined;
}

function parseAll(list: readonly Uint8Array[]): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const der of list) {
    try {
      out.push(parseCertificate(der));
    } catch {
      // An unreadable anchor or intermediate cannot be part of any path; skipping it is safe.
    }
  }
  return out;
}

function sameName(aDer: Uint8Array, aText: string, bDer: Uint8Array, bText: string): boolean {
  if (sameBytes(aDer, bDer)) return true;
  // RFC 5280 §7.1 compares names after normalisation; the rendered form approximates that
  // (different string types, case and spacing) without a full stringprep implementation.
  const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return !aText.startsWith('#') && norm(aText) === norm(bText);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
