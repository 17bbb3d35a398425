/**
 * Fonts for every Asar document. PDFKit's built-in Helvetica has no Cyrillic at all, so Kazakh and Russian text
 * needs an embedded font: DejaVu Sans covers every Kazakh letter (Ә Ғ Қ Ң Ө Ұ Ү Һ І), the tenge sign ₸ and №.
 * The files come from the dejavu-fonts-ttf package, never from the system or the network, so a PDF renders the
 * same on a laptop, in CI and in the container.
 */
import { readFileSync } from 'node:fs';

/** Names under which the fonts are registered on a document; use these with `doc.font(...)`. */
export const FONT = {
  regular: 'DejaVuSans',
  bold: 'DejaVuSans-Bold',
} as const;

export type FontName = (typeof FONT)[keyof typeof FONT];

interface FontFiles {
  readonly regular: Buffer;
  readonly bold: Buffer;
}

let cached: FontFiles | undefined;

/** Absolute paths of the TTF files, resolved through Node's module resolution so no path is hard-coded. */
export function fontPaths(): { regular: string; bold: string } {
  return {
    regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  };
}

/** Reads the files once per process: a receipt endpoint renders many PDFs and the files never change. */
function fontFiles(): FontFiles {
  if (!cached) {
    const paths = fontPaths();
    cached = { regular: readFileSync(paths.regular), bold: readFileSync(paths.bold) };
  }
  return cached;
}

/**
 * Registers DejaVu Sans regular and bold on `doc` and selects the regular face.
 *
 * Each document parses the font again (about 60 ms per face). Handing PDFKit one already-parsed fontkit font for
 * every document would save that, and was tried: fontkit caches glyphs per font, and a subset that pulls in a
 * composite glyph's parts (DejaVu builds Cyrillic "а" from Latin "a") caches those parts with no Unicode value,
 * so a later document loses the letters from its text layer ("Donation" extracted as "D nt n"). The buffers are
 * shared; the parsed fonts are not.
 */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  const files = fontFiles();
  doc.registerFont(FONT.regular, files.regular);
  doc.registerFont(FONT.bold, files.bold);
  doc.font(FONT.regular);
}
