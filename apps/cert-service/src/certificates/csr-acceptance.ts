import { ProblemCode, ProblemError } from '@ecert/common';
import { acceptCsr, CsrError, type AcceptedCsr } from '@ecert/pki';

const CODES: Record<string, string> = {
  csr_malformed: ProblemCode.csrMalformed,
  csr_signature_invalid: ProblemCode.csrSignatureInvalid,
  csr_key_rejected: ProblemCode.keyRejected,
};

/** Parses the CSR, checks proof of possession and the key policy; failures are 400 problems on `field`. */
export function acceptCsrOrProblem(csr: unknown, field = 'csr'): AcceptedCsr {
  if (typeof csr !== 'string' || !csr.trim()) throw ProblemError.badRequest(ProblemCode.csrMalformed, field, 'csr must be a PEM PKCS#10 request');
  try {
    return acceptCsr(csr);
  } catch (e) {
    if (e instanceof CsrError) throw ProblemError.badRequest(CODES[e.code] ?? ProblemCode.csrMalformed, field, e.message);
    throw ProblemError.badRequest(ProblemCode.csrMalformed, field, `CSR cannot be processed: ${(e as Error).message}`);
  }
}
