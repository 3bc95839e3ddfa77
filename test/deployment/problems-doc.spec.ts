import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBilingualTitle, PROBLEM_TITLES, ProblemCode } from '@ecert/common';
import { documentedCodes, findProblemCodes } from '../support/problem-codes';

/**
 * docs/problems.md lists every problem code ecert answers with, so it cannot go stale: a code
 * added anywhere (a catalogue, or a literal where a ProblemError is made) and not documented,
 * a status the source states and the table does not list, or a row for a code nothing makes,
 * fails here.
 */
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'problems.md'), 'utf8');
const rows = documentedCodes(doc);
const byCode = new Map(rows.map((r) => [r.code, r]));
const found = findProblemCodes();

describe('docs/problems.md', () => {
  it('finds the codes where they are made (the scan itself works)', () => {
    // One of each way a code is made: a catalogue, a literal, a file's own helper, the material union.
    for (const code of ['route_not_found', 'seal_not_found', 'application_already_open', 'four_eyes', 'target_state', 'production_missing', 'material_encrypted']) {
      expect(found.has(code), code).toBe(true);
    }
    expect(found.get('four_eyes')!.statuses).toEqual(new Set([403]));
    expect(found.get('certificate_not_found')!.statuses).toEqual(new Set([404, 422]));
    expect(found.size).toBeGreaterThan(100);
  });

  it('has one row per code', () => {
    const seen = new Set<string>();
    for (const r of rows) {
      expect(seen.has(r.code), `${r.code} is listed twice (line ${r.line})`).toBe(false);
      seen.add(r.code);
    }
  });

  it('lists every code of ProblemCode, with its common title', () => {
    for (const code of Object.values(ProblemCode)) {
      const row = byCode.get(code);
      expect(row, `${code} is missing from docs/problems.md`).toBeDefined();
      expect(row!.title, `${code}: the title in docs/problems.md`).toBe(PROBLEM_TITLES[code]);
    }
  });

  it('lists every code made anywhere, with every status the source states', () => {
    for (const f of found.values()) {
      const row = byCode.get(f.code);
      expect(row, `${f.code} (made at ${f.at.slice(0, 3).join(', ')}) is missing from docs/problems.md`).toBeDefined();
      for (const s of f.statuses) expect(row!.statuses, `${f.code} is answered with ${s} (${f.at.slice(0, 3).join(', ')})`).toContain(s);
    }
  });

  it('lists no code that nothing makes, and every row has a status and a bilingual title', () => {
    for (const r of rows) {
      expect(found.has(r.code), `${r.code} (line ${r.line}) is made nowhere`).toBe(true);
      expect(r.statuses.length, `${r.code}: no status`).toBeGreaterThan(0);
      expect(isBilingualTitle(r.title), `${r.code}: title ${r.title}`).toBe(true);
    }
  });
});

describe('PROBLEM_TITLES', () => {
  it('has a bilingual title for every ProblemCode', () => {
    for (const code of Object.values(ProblemCode)) expect(isBilingualTitle(PROBLEM_TITLES[code]), code).toBe(true);
  });
});
