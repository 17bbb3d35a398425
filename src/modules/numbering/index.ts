/**
 * The numbering module's face: what other modules may use.
 */
export { nextDocumentNumber, reserveDocumentNumber, reserveDocumentNumbers } from './numbering.service';
