import { parseCertificate, type ParsedCertificate } from './certificate-parser';
import { SesInputError } from './ses-errors';
import type { SesExtData } from './ses-model';
import { decodeEcSignature, type Signer } from './pki-bridge';
import { verifySignatureValue } from './signature-value-verifier';

/** Input checks shared by the seal and signature builders: nothing invalid ever reaches a signer. */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** IA5String fields ecert writes: printable ASCII only. */
export function checkAscii(field: string, value: string, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0) throw new SesInputError(field, 'must be a non-empty string');
  if (!/^[\x20-\x7e]+$/.test(value)) throw new SesInputError(field, 'must be printable ASCII (IA5String)');
  if (value.length > maxLength) throw new SesInputError(field, `longer than ${maxLength} characters`);
  return value;
}

export function checkText(field: string, value: string, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.trim() !== value) {
    throw new SesInputError(field, 'must be non-empty without leading or trailing spaces');
  }
  if (CONTROL.test(value)) throw new SesInputError(field, 'contains control characters');
  if ([...value].length > maxLength) throw new SesInputError(field, `longer than ${maxLength} characters`);
  return value;
}

export function checkDate(field: string, value: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new SesInputError(field, 'not a valid date');
  // The encodings carry whole seconds; truncate here so the returned seal decodes to these dates.
  return new Date(Math.floor(value.getTime() / 1000) * 1000);
}

export function checkInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new SesInputError(field, `must be an integer from ${min} to ${max}`);
  return value;
}

export function checkCertificate(field: string, der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array)) throw new SesInputError(field, 'must be DER bytes');
  try {
    return parseCertificate(der, field);
  } catch (err) {
    throw new SesInputError(field, `not a readable X.509 certificate: ${(err as Error).message}`);
  }
}

export function checkExtDatas(field: string, list: readonly SesExtData[] | undefined): SesExtData[] | undefined {
  if (list === undefined) return undefined;
  const seen = new Set<string>();
  return list.map((e, i) => {
    if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(e.extnId)) throw new SesInputError(`${field}[${i}].extnId`, 'not a dotted OID');
    if (seen.has(e.extnId)) throw new SesInputError(`${field}[${i}].extnId`, `duplicate ${e.extnId}`);
    seen.add(e.extnId);
    if (!(e.extnValue instanceof Uint8Array)) throw new SesInputError(`${field}[${i}].extnValue`, 'must be bytes');
    // New data is written in DER: `critical` only when TRUE.
    return { extnId: e.extnId, critical: e.critical === true, extnValue: e.extnValue.slice() };
  });
}

/** The signer must hold the certificate's key, or nobody could verify what it signs. */
export function checkSignerMatches(field: string, signer: Signer, cert: ParsedCertificate): void {
  if (!signer || typeof signer.sign !== 'function') throw new SesInputError(field, 'not a Signer');
  if (!Buffer.from(signer.spki).equals(Buffer.from(cert.spki))) {
    throw new SesInputError(field, `signer key is not the key of certificate "${cert.subject}"`);
  }
}

export function checkUsableAt(field: string, cert: ParsedCertificate, time: Date, what: string): void {
  if (time < cert.notBefore || time > cert.notAfter) {
    throw new SesInputError(
      field,
      `certificate "${cert.subject}" is not valid at the ${what} ${time.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
    );
  }
  if (cert.keyUsage !== undefined && !(cert.keyUsage & 3)) {
    throw new SesInputError(field, `certificate "${cert.subject}" keyUsage allows neither digitalSignature nor nonRepudiation`);
  }
}

/** Signs and checks the result verifies, so a misbehaving signer (raw r||s, wrong key) never yields a broken seal. */
export async function signChecked(field: string, signer: Signer, cert: ParsedCertificate, data: Uint8Array): Promise<Uint8Array> {
  const signature = await signer.sign(data);
  if (!(signature instanceof Uint8Array) || signature.length === 0) throw new SesInputError(field, 'signer returned no signature');
  if (!signer.algorithm.startsWith('RSA') && !decodeEcSignature(signature)) {
    throw new SesInputError(field, `signer for ${signer.algorithm} did not return a DER SEQUENCE{r,s} signature`);
  }
  const check = verifySignatureValue({ spki: cert.spki, algorithmOid: signer.signatureAlgorithmOid, data, signature });
  if (check.result !== 'passed') throw new SesInputError(field, `the signer's signature does not verify: ${check.detail}`);
  return signature;
}
