/**
 * Reading CSV as Excel in Kazakhstan writes it: UTF-8 with or without a BOM, comma or semicolon separated (the
 * separator is taken from the header line), quoted fields that may span lines. csv-parse does the parsing; this
 * file maps each record onto the header's columns and numbers it as a spreadsheet does (header = row 1).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

export type Delimiter = ',' | ';';

/** `Имя товара` → `имя_товара`, `Base unit` → `base_unit`. */
export const columnName = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** The separator of the header line: the one of ',' and ';' it has more of (Excel's ';' in comma-decimal locales). */
export function detectDelimiter(head: Buffer): Delimiter {
  const text = head.toString('utf8', 0, Math.min(head.length, 64 * 1024));
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  const count = (c: string) => line.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

export interface CsvRecord {
  row: number;
  /** Column → cell, empty cells left out. */
  cells: Record<string, string>;
  /** Set when the record has another number of fields than the header. */
  fieldCountError?: string;
}

export interface CsvHeader {
  columns: string[];
}

/** Thrown for a file that cannot be read as CSV at all (an unclosed quote): the row where reading stopped. */
export class CsvFileError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The records of a CSV file given as a stream of buffers, one at a time (memory stays flat whatever the file's
 * size). The first record is the header; `onHeader` sees it before any data row.
 */
export async function* csvRecords(
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
  delimiter: Delimiter,
  onHeader: (header: CsvHeader) => void,
): AsyncGenerator<CsvRecord> {
  const parser = Readable.from(source).pipe(
    parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }),
  );
  let columns: string[] | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = record.map(columnName);
        onHeader({ columns });
        continue;
      }
      const cells: Record<string, string> = {};
      record.forEach((cell, i) => {
        if (cell !== '' && columns && i < columns.length) cells[columns[i]] = cell;
      });
      yield {
        row: info.lines,
        cells,
        fieldCountError:
          record.length === columns.length
            ? undefined
            : `has ${record.length} fields where the header has ${columns.length}`,
      };
    }
  } catch (error) {
    const lines = (error as { lines?: number }).lines ?? 0;
    throw new CsvFileError(lines, `The file is not valid CSV near row ${lines}: ${(error as Error).message}`);
  }
}
