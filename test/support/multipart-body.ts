import { randomBytes } from 'node:crypto';

export interface MultipartPart {
  name: string;
  /** A text part. */
  value?: string;
  /** A file part: its bytes, filename and Content-Type (omitted if undefined). */
  data?: Uint8Array;
  filename?: string;
  type?: string;
}

/**
 * A multipart/form-data body built byte by byte, as browsers send it (UTF-8 filenames in the
 * plain `filename` parameter), so tests control every part header.
 */
export function multipartBody(parts: MultipartPart[], boundary = `----ecert${randomBytes(8).toString('hex')}`): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const headers = [`Content-Disposition: ${disposition}`, ...(p.type ? [`Content-Type: ${p.type}`] : [])];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(p.data ? Buffer.from(p.data) : Buffer.from(p.value ?? '', 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
