import { domainToASCII } from 'node:url';
import { normalizeInput, validationFailure, validationSuccess, type ValidationResult } from './validation-result';

/**
 * Pragmatic e-mail address check for contact fields and certificate subjects (rfc822Name), not a
 * full RFC 5322 parser: ASCII dot-atom local part (no quoted strings, comments or IP literals), a
 * public-looking domain with at least two labels. Internationalised domains (例子.中国) are accepted
 * and stored as punycode, since certificates must carry the ASCII form; non-ASCII local parts
 * (SMTPUTF8) are rejected because they cannot go into an rfc822Name. Full-width input is folded
 * by NFKC first (＠ → @). The canonical value lower-cases the domain and keeps the local part.
 */
export interface EmailParts {
  readonly local: string;
  /** ASCII (punycode) domain, lower-case. */
  readonly domain: string;
}

export type EmailFailureReason = 'required' | 'length' | 'format' | 'domain';
export type EmailResult = ValidationResult<EmailParts, EmailFailureReason>;

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export function validateEmail(input: unknown): EmailResult {
  const s = normalizeInput(input);
  if (!s) return validationFailure('required', '电子邮箱不能为空', 'E-mail address is required');
  // RFC 5321 path limit; also keeps the regexes below on short input.
  if (s.length > 254) return validationFailure('length', '电子邮箱长度不能超过254个字符', 'E-mail address must be at most 254 characters');

  const at = s.lastIndexOf('@');
  const local = s.slice(0, at);
  const rawDomain = s.slice(at + 1);
  if (at <= 0 || !rawDomain || local.length > 64 || !LOCAL.test(local)) {
    return validationFailure('format', '电子邮箱格式不正确', 'Not a valid e-mail address');
  }

  // Anything URL-ish would be silently "fixed" by the IDNA mapping; refuse it up front.
  const ascii = /[\s/\\?#@:[\]%]/.test(rawDomain) ? '' : domainToASCII(rawDomain);
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1])) {
    return validationFailure('domain', `电子邮箱域名无效：${rawDomain}`, `Invalid e-mail domain: ${rawDomain}`);
  }

  return validationSuccess(`${local}@${ascii}`, { local, domain: ascii });
}
