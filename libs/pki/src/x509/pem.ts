/** PEM (RFC 7468) encoding and strict decoding. */

export class PemError extends Error {
  readonly code = 'pem_malformed' as const;
  constructor(readonly detail: string) {
    super(`PEM 格式错误 (malformed PEM: ${detail})`);
    this.name = 'PemError';
  }
}

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const LABEL = /^[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*$/; // RFC 7468 §3 label
const BLOCK = /-----BEGIN ([^\r\n]*?)-----([\s\S]*?)-----END ([^\r\n]*?)-----/g;

/** PEM text with 64-character lines and a trailing newline, as OpenSSL writes it. */
export function encodePem(label: string, der: Uint8Array): string {
  if (!LABEL.test(label)) throw new PemError(`bad label "${label}"`);
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${label}-----\n`;
}

function decodeBody(body: string): Uint8Array {
  // Encapsulated headers (Proc-Type: 4,ENCRYPTED ...) mean legacy encrypted PEM, never valid here.
  if (body.includes(':')) throw new PemError('unexpected headers');
  const b64 = body.replace(/[ \t\r\n]/g, '');
  // Buffer.from(…, 'base64') silently skips junk; check the alphabet and padding first.
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    throw new PemError('bad base64');
  }
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** Every PEM block in `text`, in order; text outside blocks is ignored as RFC 7468 allows. */
export function decodePemAll(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, begin, body, end] = m;
    if (begin !== end) throw new PemError(`BEGIN ${begin} closed by END ${end}`);
    blocks.push({ label: begin!, der: decodeBody(body!) });
  }
  // A BEGIN line without a matching END is a truncated file, not "no PEM here".
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length) throw new PemError('truncated block');
  return blocks;
}

/**
 * The first PEM block, required to carry one of `labels` when given (e.g. CERTIFICATE REQUEST and
 * the legacy NEW CERTIFICATE REQUEST).
 */
export function decodePem(text: string, labels?: string | readonly string[]): PemBlock {
  const blocks = decodePemAll(text);
  const wanted = labels === undefined ? undefined : typeof labels === 'string' ? [labels] : labels;
  const block = wanted ? blocks.find((b) => wanted.includes(b.label)) : blocks[0];
  if (!block) {
    throw new PemError(wanted ? `no ${wanted.join(' / ')} block` : 'no PEM block');
  }
  return block;
}

/** True when the text or bytes start (after whitespace) like PEM rather than DER. */
export function looksLikePem(input: string | Uint8Array): boolean {
  const head = typeof input === 'string' ? input.slice(0, 256) : Buffer.from(input.subarray(0, 256)).toString('latin1');
  return head.trimStart().startsWith('-----BEGIN ');
}
