/**
 * The two keys that protect families' personal data: the AES-256-GCM key that encrypts personal fields at rest and
 * the HMAC-SHA-256 secret of the keyed hashes that match identifiers (an IIN) without revealing them.
 *
 * Where they come from, in order:
 *   1. configuration (ASAR_PERSONAL_DATA_KEY, ASAR_PERSONAL_DATA_HASH_SECRET): required in production, where
 *      config.ts refuses to start without them;
 *   2. in development, a key file generated once into the data directory (mode 0600), so that data written today
 *      can still be read after a restart;
 *   3. in tests, random keys that live as long as the process (each test worker has its own database anyway).
 *
 * The key id (the first 8 hex digits of SHA-256 of the key) is written into every ciphertext, so that a deployment
 * that rotates its key can tell which key sealed a value.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Config, config } from '../config';

export interface PersonalDataKeys {
  readonly encryptionKey: Buffer;
  readonly keyId: string;
  readonly hashSecret: Buffer;
  readonly source: 'configuration' | 'development-key-file' | 'ephemeral';
}

interface KeyFile {
  encryptionKey: string;
  hashSecret: string;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function keysOf(encryptionKey: Buffer, hashSecret: Buffer, source: PersonalDataKeys['source']): PersonalDataKeys {
  if (encryptionKey.length !== 32) throw new Error('The personal data encryption key must be 32 bytes');
  if (hashSecret.length < 32) throw new Error('The personal data hash secret must be at least 32 bytes');
  return Object.freeze({ encryptionKey, keyId: keyIdOf(encryptionKey), hashSecret, source });
}

function parseKeyFile(text: string, path: string): KeyFile {
  const parsed = JSON.parse(text) as Partial<KeyFile>;
  if (typeof parsed.encryptionKey !== 'string' || typeof parsed.hashSecret !== 'string') {
    throw new Error(`${path} is not a personal data key file (encryptionKey and hashSecret expected)`);
  }
  return parsed as KeyFile;
}

/** Reads the development key file, creating it (exclusively, so two processes starting at once agree) if absent. */
function developmentKeys(path: string): PersonalDataKeys {
  let file: KeyFile;
  try {
    file = parseKeyFile(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    const generated: KeyFile = {
      encryptionKey: randomBytes(32).toString('base64'),
      hashSecret: randomBytes(32).toString('base64'),
    };
    try {
      writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      file = generated;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      file = parseKeyFile(readFileSync(path, 'utf8'), path);
    }
  }
  return keysOf(
    Buffer.from(file.encryptionKey, 'base64'),
    Buffer.from(file.hashSecret, 'base64'),
    'development-key-file',
  );
}

/** Resolves the keys for a configuration (exported for tests; the application uses `personalDataKeys()`). */
export function resolvePersonalDataKeys(settings: Pick<Config, 'env' | 'personalData'>): PersonalDataKeys {
  const { encryptionKey, hashSecret, developmentKeyFile } = settings.personalData;
  if (encryptionKey && hashSecret) return keysOf(encryptionKey, hashSecret, 'configuration');
  if (encryptionKey || hashSecret) {
    throw new Error('Set both ASAR_PERSONAL_DATA_KEY and ASAR_PERSONAL_DATA_HASH_SECRET, or neither');
  }
  if (settings.env === 'production') {
    throw new Error('ASAR_PERSONAL_DATA_KEY and ASAR_PERSONAL_DATA_HASH_SECRET are required in production');
  }
  if (settings.env === 'test') return keysOf(randomBytes(32), randomBytes(32), 'ephemeral');
  return developmentKeys(developmentKeyFile);
}

let current: PersonalDataKeys | undefined;

/** The deployment's keys, resolved on first use. */
export function personalDataKeys(): PersonalDataKeys {
  current ??= resolvePersonalDataKeys(config);
  return current;
}
