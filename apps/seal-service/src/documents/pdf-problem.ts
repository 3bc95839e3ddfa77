import { ProblemError } from '@ecert/common';
import { DocumentProblemCode } from '@ecert/contracts';
import { PdfError } from '@ecert/pdf';

const TITLES: Record<string, string> = {
  pdf_malformed: 'PDF 文件无法读取 (PDF malformed)',
  pdf_encrypted: 'PDF 已加密 (PDF encrypted)',
  pdf_unsupported: 'PDF 结构不受支持 (PDF not supported)',
  pdf_blank_page: '不得在空白页上盖章 (blank page)',
  pdf_page_out_of_range: '页码超出范围 (page out of range)',
  pdf_keyword_not_found: '未找到关键字 (keyword not found)',
};

/** What a placement, not the file, is wrong about: the problem names `placements`. */
const ABOUT_PLACEMENTS = new Set(['pdf_blank_page', 'pdf_page_out_of_range', 'pdf_keyword_not_found']);

/**
 * libs/pdf's refusal as a 422 problem: a broken, encrypted or unsupported file names the
 * document; a blank page, a page that does not exist or a keyword not found names `placements`
 * and the page (第十四条: never on a blank letterhead). Anything else is rethrown as it is.
 */
export function pdfProblem(e: unknown, documentField = 'document'): unknown {
  // A structure that exhausts the engine (a map, an array, a recursion too large) is a malformed file, not a 500.
  if (e instanceof RangeError) return new ProblemError(422, DocumentProblemCode.pdfMalformed, TITLES.pdf_malformed!, `the PDF's structure is too large to read (${e.message})`, documentField);
  if (!(e instanceof PdfError)) return e;
  const code = (Object.values(DocumentProblemCode) as string[]).includes(e.code) ? e.code : DocumentProblemCode.pdfMalformed;
  const page = typeof e.page === 'number' ? e.page : undefined;
  return new ProblemError(422, code, TITLES[code] ?? TITLES.pdf_malformed!, e.message, ABOUT_PLACEMENTS.has(code) ? 'placements' : documentField, page !== undefined ? { page } : {});
}
