import { MongoCommandError } from '../../../src/embedded-db/errors';

/** The MongoCommandError `fn` throws, so a test can assert its code and message; fails when it throws nothing. */
export function errorOf(fn: () => unknown): MongoCommandError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MongoCommandError) return err;
    throw err;
  }
  throw new Error('expected an error');
}
