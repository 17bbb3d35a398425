/**
 * Reads PDFs back as text for document tests, with pdf-parse (pdf.js) run in a child Node process. pdf-parse 2
 * starts pdf.js's worker with a dynamic import(), which Jest's module sandbox refuses unless Node runs with
 * --experimental-vm-modules; a plain Node process allows it, so `npm test` needs no special flags.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface PdfText {
  readonly total: number;
  /** Text of each page, page 1 first. */
  readonly pages: readonly string[];
}

const PROJECT_ROOT = resolve(__dirname, '../..');

const CHILD_SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  try {
    const results = [];
    for (const base64 of JSON.parse(Buffer.concat(chunks).toString('utf8'))) {
      const parser = new PDFParse({ data: new Uint8Array(Buffer.from(base64, 'base64')) });
      const text = await parser.getText();
      await parser.destroy();
      results.push({ total: text.total, pages: text.pages.map((page) => page.text) });
    }
    process.stdout.write(JSON.stringify(results));
  } catch (error) {
    process.stderr.write(String(error && error.stack || error));
    process.exitCode = 1;
  }
});
`;

/** Extracts the text of several PDFs in one child process (starting pdf.js costs more than parsing). */
export function readPdfTexts(pdfs: readonly Buffer[]): Promise<PdfText[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT], { cwd: PROJECT_ROOT, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`pdf-parse child exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      resolvePromise(JSON.parse(Buffer.concat(out).toString('utf8')) as PdfText[]);
    });
    child.stdin.end(JSON.stringify(pdfs.map((pdf) => pdf.toString('base64'))));
  });
}

export async function readPdfText(pdf: Buffer): Promise<PdfText> {
  const [text] = await readPdfTexts([pdf]);
  if (!text) throw new Error('pdf-parse returned nothing');
  return text;
}

/** Folds the no-break and narrow no-break spaces Intl puts in numbers, and runs of spaces/tabs, into one space. */
export function normalizeSpaces(text: string): string {
  return text.replace(/[ \t\u00a0\u202f]+/g, ' ');
}
