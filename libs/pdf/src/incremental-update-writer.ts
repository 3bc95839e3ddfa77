import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { PdfFile } from './pdf-file-reader';
import { PdfStream, PdfString, type PdfDict, type PdfObject } from './pdf-object';
import { serializePdfObject } from './pdf-object-serializer';

export interface UpdateObject {
  num: number;
  gen: number;
  /** The object (a stream is written with a direct /Length of its data as given). */
  value?: PdfObject;
  /** Or its body as written (latin1), for objects whose bytes the caller lays out itself. */
  raw?: string;
}

export interface IncrementalUpdate {
  /** The bytes to append to the file (they start with an end of line if the file does not end with one). */
  bytes: Buffer;
  /** Each written object's offset in the updated file. */
  offsets: Map<number, number>;
  /** The updated file's /Size. */
  size: number;
}

/**
 * A new revision appended to a file: the objects as given, then a cross-reference section of the
 * kind the file's last one is (a classic table, or an xref stream), whose trailer carries /Size,
 * /Root, /Info and /ID on and points back with /Prev. Nothing of the file is rewritten.
 */
export function writeIncrementalUpdate(file: PdfFile, objects: UpdateObject[], size: number): IncrementalUpdate {
  const base = file.bytes.length;
  const parts: Buffer[] = [];
  let pos = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    pos += b.length;
  };
  const text = (s: string) => push(Buffer.from(s, 'latin1'));
  const last = file.bytes[base - 1];
  if (last !== 10 && last !== 13) text('\n');

  const offsets = new Map<number, number>();
  for (const o of objects) {
    offsets.set(o.num, base + pos);
    text(`${o.num} ${o.gen} obj\n`);
    if (o.raw !== undefined) text(o.raw);
    else if (o.value instanceof PdfStream) writeStream(o.value, text, push);
    else text(serializePdfObject(o.value ?? null));
    text('\nendobj\n');
  }

  const latest = file.sections[0];
  // Offsets count from the header when the file's own do (junk before %PDF-).
  const rel = (abs: number) => abs - file.offsetShift;
  const trailer = (sizeValue: number): [string, PdfObject][] => [
    ['Size', sizeValue],
    ...(['Root', 'Info'] as const).filter((k) => file.trailer.has(k)).map((k): [string, PdfObject] => [k, file.trailer.get(k)!]),
    ['ID', file.trailer.get('ID') ?? generatedId(file)],
    ['Prev', rel(latest.offset)],
  ];

  if (latest.kind === 'table') {
    const nums = [...offsets.keys()].sort((a, b) => a - b);
    const xrefAt = base + pos;
    let table = 'xref\n';
    for (let i = 0; i < nums.length; ) {
      let j = i;
      while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
      table += `${nums[i]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k++) {
        const gen = objects.find((o) => o.num === nums[k])!.gen;
        table += `${String(rel(offsets.get(nums[k])!)).padStart(10, '0')} ${String(gen).padStart(5, '0')} n \n`;
      }
      i = j + 1;
    }
    text(`${table}trailer\n${serializePdfObject(new Map(trailer(size)))}\nstartxref\n${rel(xrefAt)}\n%%EOF\n`);
    return { bytes: Buffer.concat(parts), offsets, size };
  }

  // An xref stream: it lists itself too.
  const xrefNum = size;
  const newSize = size + 1;
  const xrefAt = base + pos;
  const entries = [...[...offsets].map(([num, off]) => ({ num, off: rel(off), gen: objects.find((o) => o.num === num)!.gen })), { num: xrefNum, off: rel(xrefAt), gen: 0 }].sort((a, b) => a.num - b.num);
  const w2 = Math.max(...entries.map((e) => e.off)) < 2 ** 32 ? 4 : 6;
  const rows = Buffer.alloc(entries.length * (1 + w2 + 2));
  const index: number[] = [];
  entries.forEach((e, i) => {
    const r = i * (3 + w2);
    rows[r] = 1;
    rows.writeUIntBE(e.off, r + 1, w2);
    rows.writeUInt16BE(e.gen, r + 1 + w2);
    if (i > 0 && entries[i - 1].num === e.num - 1) index[index.length - 1]++;
    else index.push(e.num, 1);
  });
  const dict: PdfDict = new Map<string, PdfObject>([['Type', 'XRef'], ...trailer(newSize), ['Index', index], ['W', [1, w2, 2]], ['Filter', 'FlateDecode']]);
  text(`${xrefNum} 0 obj\n`);
  writeStream(new PdfStream(dict, deflateSync(rows)), text, push);
  text(`\nendobj\nstartxref\n${rel(xrefAt)}\n%%EOF\n`);
  offsets.set(xrefNum, xrefAt);
  return { bytes: Buffer.concat(parts), offsets, size: newSize };
}

function writeStream(s: PdfStream, text: (s: string) => void, push: (b: Buffer) => void): void {
  const dict = new Map(s.dict);
  dict.set('Length', s.data.length);
  text(`${serializePdfObject(dict)}\nstream\n`);
  push(Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength));
  text('\nendstream');
}

/** A file identifier for a file that had none (ISO 32000-2 §14.4): from its length and last bytes. */
function generatedId(file: PdfFile): PdfObject {
  const b = file.bytes;
  const h = createHash('md5').update(String(b.length)).update(b.subarray(Math.max(0, b.length - 4096))).digest();
  return [new PdfString(h, true), new PdfString(h, true)];
}
