/**
 * Families' personal data, protected: sealed at rest (AES-256-GCM), matched through keyed hashes (HMAC-SHA-256),
 * masked for display (`******1234`). Keys come from configuration (required in production) or, in development, a
 * key file generated into the data directory (keys.ts).
 */

export { type PersonalDataKeys, personalDataKeys, resolvePersonalDataKeys } from './keys';
export {
  keyedHash,
  mask,
  normaliseName,
  open,
  openOrNull,
  PersonalDataError,
  type Purpose,
  personKey,
  seal,
  sealOrNull,
} from './personal-data';
