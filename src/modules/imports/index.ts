/**
 * The imports module's face: what other modules may use.
 */
export { resumeStalledImports } from './imports.service';
