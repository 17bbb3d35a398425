/**
 * A rendered document as a service returns it (a receipt, a waybill): the bytes, the file name a person saves it
 * under, and its media type. The HTTP layer sends it as a file; a script writes it to disk.
 */
import type { Readable } from 'node:stream';

export interface DocumentFile {
  /** The bytes, or a stream of them for a long answer (a CSV export of a million rows). */
  file: Buffer | Readable;
  filename: string;
  contentType: 'application/pdf' | 'text/csv' | 'text/html';
  /** `inline` (default: a browser shows it) or `attachment` (it downloads). */
  disposition?: 'inline' | 'attachment';
}
