import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: Promise<Pdfjs> | undefined;
let pdfjsRoot: string | undefined;

/**
 * pdfjs-dist's legacy build (the one for Node), loaded on first use: services that never read
 * text never load it. pdfjs 6 expects Node 22's Promise.withResolvers; the platform runs on Node
 * 20, so it is added when missing (the standard behaviour, nothing else is changed).
 */
export function loadPdfjs(): Promise<Pdfjs> {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers !== 'function') {
    Object.defineProperty(Promise, 'withResolvers', {
      configurable: true,
      writable: true,
      value: function withResolvers<T>(this: PromiseConstructor) {
        let resolve!: (v: T | PromiseLike<T>) => void;
        let reject!: (e: unknown) => void;
        const promise = new this<T>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        return { promise, resolve, reject };
      },
    });
  }
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

/** A directory of pdfjs-dist's assets (`cmaps`, `standard_fonts`), with the trailing slash pdfjs wants. */
export function pdfjsAssetDir(name: 'cmaps' | 'standard_fonts'): string {
  pdfjsRoot ??= dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return `${join(pdfjsRoot, name)}/`;
}
