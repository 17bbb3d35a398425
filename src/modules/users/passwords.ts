/**
 * Password hashing with argon2id (@node-rs/argon2's default algorithm) at OWASP's recommended cost: 19 MiB, two passes,
 * one lane. The encoded hash carries its own parameters, so raising the cost later still verifies old hashes.
 */
import { hash, verify } from '@node-rs/argon2';
import { MIN_PASSWORD_LENGTH } from '../../config';
import { AppError } from '../../core/errors';

// Defined in config, which checks ASAR_SEED_PASSWORD and ASAR_USER_PASSWORD against it too.
export { MIN_PASSWORD_LENGTH };
/** argon2 accepts any length; a cap keeps a megabyte "password" from being hashed on every login attempt. */
export const MAX_PASSWORD_LENGTH = 256;

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The policy, enforced by the services too, since scripts (user:create, seed) do not pass through Joi. */
export function assertPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError(
      'VALIDATION',
      `A password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
      [
        {
          field: 'password',
          message: `"password" length must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}`,
          type: 'string.length',
        },
      ],
    );
  }
}

export async function hashPassword(password: string): Promise<string> {
  assertPasswordPolicy(password);
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash is a failed login, not a server error.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one real verification and answers false. Called for an unknown email, so that an attacker
 * cannot tell unknown accounts from wrong passwords by the time the answer takes.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hash('asar-dummy-password-for-timing', OPTIONS);
  await verifyPassword(await dummyHash, password);
  return false;
}
