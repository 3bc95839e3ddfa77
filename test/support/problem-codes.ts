import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ProblemCode } from '@ecert/common';
import { DocumentProblemCode, PlatformKeyProblemCode, SealProblemCode } from '@ecert/contracts';

/**
 * Every problem code ecert can answer with, found in the sources: the code catalogues
 * (ProblemCode and the contracts' per-area ones) and the codes written as literals where a
 * ProblemError is made, directly or through a file's own helper (`permanent('x', …)`), with the
 * HTTP status wherever the source states it. docs/problems.md is checked against this.
 */
export interface FoundCode {
  code: string;
  statuses: Set<number>;
  /** file:line of each place it is made (for the failure messages). */
  at: string[];
}

const ROOT = join(import.meta.dirname, '..', '..');
const CATALOGUES: Record<string, Record<string, string>> = { ProblemCode, SealProblemCode, DocumentProblemCode, PlatformKeyProblemCode };
const CODE_LITERAL = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
/** A code as written: 'literal' or Catalogue.key. */
const CODE_EXPR = String.raw`('[a-z][a-z0-9_]*'|(?:ProblemCode|SealProblemCode|DocumentProblemCode|PlatformKeyProblemCode)\.\w+)`;
const HELPER_STATUS: Record<string, number> = { badRequest: 400, notFound: 404, conflict: 409 };

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'migrations') out.push(...sourceFiles(p));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.includes('spec-helper') && !e.name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

function resolveCode(expr: string): string | undefined {
  if (expr.startsWith("'")) {
    const lit = expr.slice(1, -1);
    return CODE_LITERAL.test(lit) ? lit : undefined;
  }
  const [catalogue, key] = expr.split('.');
  return CATALOGUES[catalogue!]?.[key!];
}

export function findProblemCodes(): Map<string, FoundCode> {
  const found = new Map<string, FoundCode>();
  const add = (code: string | undefined, status: number | undefined, at: string) => {
    if (!code) return;
    const f = found.get(code) ?? { code, statuses: new Set<number>(), at: [] };
    if (status) f.statuses.add(status);
    f.at.push(at);
    found.set(code, f);
  };
  for (const [, catalogue] of Object.entries(CATALOGUES)) for (const code of Object.values(catalogue)) add(code, undefined, 'catalogue');

  const files = [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))];
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    if (!src.includes('ProblemError') && !src.includes('MaterialRejectionCode')) continue;
    const rel = relative(ROOT, file);
    const lineOf = (index: number) => `${rel}:${src.slice(0, index).split('\n').length}`;

    // new ProblemError(status, code, …)
    for (const m of src.matchAll(new RegExp(String.raw`new ProblemError\(\s*([^,]+?)\s*,\s*${CODE_EXPR}`, 'g'))) {
      add(resolveCode(m[2]!), /^\d{3}$/.test(m[1]!) ? Number(m[1]) : undefined, lineOf(m.index!));
    }
    // ProblemError.badRequest / notFound / conflict(code, …)
    for (const m of src.matchAll(new RegExp(String.raw`ProblemError\.(badRequest|notFound|conflict)\(\s*${CODE_EXPR}`, 'g'))) {
      add(resolveCode(m[2]!), HELPER_STATUS[m[1]!], lineOf(m.index!));
    }
    // A file's own helper taking the code: `const permanent = (code: string, …) => new ProblemError(422, code, …)`.
    for (const m of src.matchAll(/(?:function\s+(\w+)\s*\(|const\s+(\w+)\s*=\s*(?:async\s*)?\()([^)]*)\)[^{=]*(?:=>|\{)/g)) {
      const name = m[1] ?? m[2]!;
      const params = m[3]!;
      if (!/\bcode\b/.test(params)) continue;
      const body = src.slice(m.index! + m[0].length, m.index! + m[0].length + 600);
      const made = /new ProblemError\(\s*(\d{3}|\w+)\s*,\s*code\b/.exec(body) ?? /ProblemError\.(badRequest|notFound|conflict)\(\s*code\b/.exec(body);
      if (!made) continue;
      const fixed = /^\d{3}$/.test(made[1]!) ? Number(made[1]) : HELPER_STATUS[made[1]!];
      const statusFirst = /^\s*\w+\s*:\s*number\s*,/.test(params);
      const call = statusFirst ? String.raw`\b${name}\(\s*(\d{3})\s*,\s*${CODE_EXPR}` : String.raw`\b${name}\(\s*()${CODE_EXPR}`;
      for (const c of src.matchAll(new RegExp(call, 'g'))) add(resolveCode(c[2]!), c[1] ? Number(c[1]) : fixed, lineOf(c.index!));
    }
    // The material inspector's codes (libs/documents), which the gateway answers as they are.
    const union = /export type MaterialRejectionCode =([^;]+);/.exec(src);
    if (union) for (const lit of union[1]!.matchAll(/'([a-z_]+)'/g)) add(lit[1], undefined, lineOf(union.index));
  }
  return found;
}

export interface DocumentedCode {
  code: string;
  statuses: number[];
  title: string;
  line: number;
}

/** The rows of the code tables (under "## Codes") of docs/problems.md: | `code` | 400, 409 | title | when | field |. */
export function documentedCodes(markdown: string): DocumentedCode[] {
  const out: DocumentedCode[] = [];
  let inCodes = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^## /.test(line)) inCodes = line.trim() === '## Codes';
    if (!inCodes) return;
    const m = /^\|\s*`([a-z0-9_]+)`\s*\|([^|]*)\|([^|]*)\|/.exec(line);
    if (!m) return;
    out.push({ code: m[1]!, statuses: [...m[2]!.matchAll(/\d{3}/g)].map((s) => Number(s[0])), title: m[3]!.trim(), line: i + 1 });
  });
  return out;
}
