/**
 * A rendered document as a service returns it (a receipt, a waybill): the bytes, the file name a person saves it
 * under, and its media type. The HTTP layer sends it as a file; a script writes it to disk.
 */
export interface DocumentFile {
  file: Buffer;
  filename: string;
  contentType: 'application/pdf';
  /** `inline` (default: a browser shows it) or `attachment` (it downloads). */
  disposition?: 'inline' | 'attachment';
}
