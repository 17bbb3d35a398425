import {
  apiKeyHint,
  hashApiKey,
  hashSessionToken,
  looksLikeApiKey,
  looksLikeSessionToken,
  newApiKey,
  newSessionToken,
} from '../../../src/modules/auth/tokens';

describe('credentials', () => {
  test('when a session token is issued, then it is 32 random bytes in base64url and its stored form is not itself', () => {
    const token = newSessionToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(looksLikeSessionToken(token)).toBe(true);
    expect(newSessionToken()).not.toBe(token);
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionToken(token)).toBe(hashSessionToken(token));
  });

  test('when an API key is issued, then it has the asar_ prefix, a short hint and a SHA-256 stored form', () => {
    const key = newApiKey();
    expect(looksLikeApiKey(key)).toBe(true);
    expect(looksLikeSessionToken(key)).toBe(false);
    expect(apiKeyHint(key)).toBe(key.slice(0, 11));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toBe(hashSessionToken(key));
  });
});
