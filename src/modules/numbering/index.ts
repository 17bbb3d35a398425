/**
 * The numbering module's face: what other modules may use.
 */
export { nextDocumentNumber, reserveDocumentNumber } from './numbering.service';
