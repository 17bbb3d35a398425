import { parseOptions } from '@node-rs/argon2';
import { AppError } from '../../../src/core/errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../../src/modules/users/passwords';

describe('passwords', () => {
  test('when a password is hashed, then the hash is argon2id at 19 MiB and verifies only that password', async () => {
    const hash = await hashPassword('a long enough password');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(parseOptions(hash)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(await verifyPassword(hash, 'a long enough password')).toBe(true);
    expect(await verifyPassword(hash, 'a long enough passworD')).toBe(false);
  });

  test('when a password is shorter than 12 characters, then it is refused before hashing', async () => {
    await expect(hashPassword('short-pass1')).rejects.toBeInstanceOf(AppError);
  });

  test('when the stored hash is malformed, then verification fails instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever password')).toBe(false);
  });

  test('when an unknown account is tried, then the dummy verification answers false', async () => {
    expect(await verifyAgainstDummy('asar-dummy-password-for-timing')).toBe(false);
  });
});
