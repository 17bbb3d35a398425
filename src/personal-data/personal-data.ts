/**
 * Protecting personal fields: encryption at rest, keyed hashes for matching, masking for display.
 *
 * - `seal` encrypts with AES-256-GCM under a fresh 96-bit nonce; the field's purpose ('iin', 'phone', ...) is the
 *   additional authenticated data, so a ciphertext copied into another field does not open. The text stored is
 *   `pd1.<keyId>.<nonce>.<ciphertext+tag>` (base64url), readable by `open` with the key that sealed it.
 * - `keyedHash` is HMAC-SHA-256 under the deployment's secret, domain-separated by purpose. A plain hash of an IIN
 *   would not protect it: the space of valid IINs is about 10^9 and is enumerated in minutes; without the secret
 *   the keyed hash cannot be tested against guesses.
 * - `mask` shows the last four characters only (`******1234`): what lists, answers and documents show by default.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { type PersonalDataKeys, personalDataKeys } from './keys';

/** What a sealed value or a keyed hash is for: part of the authenticated data and of the hash's domain. */
/** `import_file`: an uploaded CSV kept until its import is done (a households file holds IINs in clear). */
export type Purpose = 'iin' | 'phone' | 'address' | 'person' | 'signature' | 'import_file';

const VERSION = 'pd1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class PersonalDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonalDataError';
  }
}

export function seal(plain: string, purpose: Purpose, keys: PersonalDataKeys = personalDataKeys()): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(`${VERSION}:${purpose}`, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${keys.keyId}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
}

/** Decrypts a value sealed for `purpose`; throws PersonalDataError when it was tampered with or sealed otherwise. */
export function open(sealed: string, purpose: Purpose, keys: PersonalDataKeys = personalDataKeys()): string {
  const [version, keyId, nonceText, bodyText] = sealed.split('.');
  if (version !== VERSION || !keyId || !nonceText || !bodyText) {
    throw new PersonalDataError('Not a sealed personal data value');
  }
  if (keyId !== keys.keyId)
    throw new PersonalDataError(`Sealed with key ${keyId}, which this deployment does not hold`);
  const nonce = Buffer.from(nonceText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new PersonalDataError('Truncated sealed value');
  const decipher = createDecipheriv('aes-256-gcm', keys.encryptionKey, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(`${VERSION}:${purpose}`, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new PersonalDataError('Sealed value failed authentication (tampered, or sealed for another purpose)');
  }
}

export function sealOrNull(plain: string | null | undefined, purpose: Purpose): string | null {
  return plain ? seal(plain, purpose) : null;
}

export function openOrNull(sealed: string | null | undefined, purpose: Purpose): string | null {
  return sealed ? open(sealed, purpose) : null;
}

/** HMAC-SHA-256 of `value` for `purpose` under the deployment's secret, as 43 base64url characters. */
export function keyedHash(value: string, purpose: Purpose, keys: PersonalDataKeys = personalDataKeys()): string {
  return createHmac('sha256', keys.hashSecret).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url');
}

/** `******1234`: six stars and the last four characters (digits only for a phone number). */
export function mask(value: string | null | undefined): string | null {
  if (!value) return null;
  const digits = value.replace(/\D/g, '');
  const tail = (digits.length >= 4 ? digits : value).slice(-4);
  return `******${tail}`;
}

/**
 * A person's name reduced to what identifies it across spellings: Unicode-normalised, lower case, ё as е, without
 * punctuation, words sorted (so «Мамырбаев Айдар» and «айдар мамырбаев» agree).
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .sort()
    .join(' ');
}

/**
 * The keyed hash of a person without an identifier: normalised name, birth date and settlement. Two enrolments that
 * share it are a possible match to review, never a proof.
 */
export function personKey(name: string, birthDate: Date, settlement: string): string {
  return keyedHash(
    [normaliseName(name), birthDate.toISOString().slice(0, 10), normaliseName(settlement)].join('|'),
    'person',
  );
}
