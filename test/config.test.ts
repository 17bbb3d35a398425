import { loadConfig } from '../src/config';

const SECRET = 'a-production-secret-of-at-least-32-characters';
const PERSONAL_DATA_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const HASH_SECRET = 'a-deployment-hash-secret-of-32-characters-or-more';

describe('loadConfig', () => {
  test('when nothing is set, then the defaults give a runnable development configuration', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      embeddedDbPort: 0,
      logLevel: 'info',
      bodyLimit: '1mb',
      corsOrigins: [],
      orgName: 'Asar',
      auth: { tokenTtlHours: 12, tokenTtlSeconds: 12 * 3600, loginRateLimit: { max: 10, windowMs: 15 * 60_000 } },
    });
    expect(config.mongodbUri).toBeUndefined();
    expect(config.seedPassword).toBeUndefined();
  });

  test('when values are given as strings, then they are converted and typed', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      MONGODB_URI: 'mongodb://db1:27017,db2:27017/asar?replicaSet=rs0',
      ASAR_DATA_DIR: '/var/lib/asar',
      ASAR_EMBEDDED_DB_PORT: '27017',
      LOG_LEVEL: 'warn',
      BODY_LIMIT: '2MB',
      CORS_ORIGINS: 'https://aid.example.kz, https://field.example.kz',
      ASAR_TOKEN_SECRET: SECRET,
      ASAR_TOKEN_TTL_HOURS: '8',
      ASAR_LOGIN_RATE_LIMIT: '5/1h',
      ASAR_SEED_PASSWORD: 'demo-password',
      ASAR_ORG_NAME: 'Қазақстан Red Crescent',
      ASAR_PERSONAL_DATA_KEY: PERSONAL_DATA_KEY,
      ASAR_PERSONAL_DATA_HASH_SECRET: HASH_SECRET,
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      host: '127.0.0.1',
      mongodbUri: 'mongodb://db1:27017,db2:27017/asar?replicaSet=rs0',
      dataDir: '/var/lib/asar',
      embeddedDbPort: 27017,
      logLevel: 'warn',
      bodyLimit: '2mb',
      corsOrigins: ['https://aid.example.kz', 'https://field.example.kz'],
      auth: {
        tokenSecret: SECRET,
        tokenSecretIsEphemeral: false,
        tokenTtlSeconds: 8 * 3600,
        loginRateLimit: { max: 5, windowMs: 3_600_000 },
      },
      seedPassword: 'demo-password',
      orgName: 'Қазақстан Red Crescent',
    });
  });

  test('when the configuration is loaded, then it is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.auth)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  test('when PORT is not a number, then loading fails naming PORT', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('Invalid configuration: PORT must be a number');
  });

  test('when several variables are wrong, then every one is named', () => {
    expect(() => loadConfig({ PORT: '70000', LOG_LEVEL: 'loud', MONGODB_URI: 'http://db' })).toThrow(
      /PORT must be less than or equal to 65535.*MONGODB_URI must start with mongodb:\/\/.*LOG_LEVEL must be one of/,
    );
  });

  test('when NODE_ENV is unknown, then loading fails naming NODE_ENV', () => {
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV must be one of/);
  });

  test('when production has no token secret, then loading is refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      'Invalid configuration: ASAR_TOKEN_SECRET is required in production',
    );
  });

  test('when production has no personal data key or hash secret, then loading is refused naming both', () => {
    const error = (() => {
      try {
        loadConfig({ NODE_ENV: 'production', ASAR_TOKEN_SECRET: SECRET });
      } catch (thrown) {
        return thrown as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/ASAR_PERSONAL_DATA_KEY is required in production/);
    expect(error?.message).toMatch(/ASAR_PERSONAL_DATA_HASH_SECRET is required in production/);
  });

  test('when the personal data key is given in hex or base64, then it becomes the same 32 bytes', () => {
    const base64 = Buffer.from(PERSONAL_DATA_KEY, 'hex').toString('base64');
    const fromHex = loadConfig({ ASAR_PERSONAL_DATA_KEY: PERSONAL_DATA_KEY }).personalData.encryptionKey;
    const fromBase64 = loadConfig({ ASAR_PERSONAL_DATA_KEY: base64 }).personalData.encryptionKey;
    expect(fromHex?.length).toBe(32);
    expect(fromHex?.equals(fromBase64 as Buffer)).toBe(true);
  });

  test('when the personal data key is not 32 bytes, then loading fails naming it', () => {
    expect(() => loadConfig({ ASAR_PERSONAL_DATA_KEY: 'abcd' })).toThrow(/ASAR_PERSONAL_DATA_KEY must be 32 bytes/);
  });

  test('when no personal data keys are configured outside production, then a development key file in the data directory is named', () => {
    const config = loadConfig({ ASAR_DATA_DIR: '/tmp/asar-data' });
    expect(config.personalData.encryptionKey).toBeUndefined();
    expect(config.personalData.developmentKeyFile).toBe('/tmp/asar-data/personal-data-keys.json');
  });

  test('when the token secret is shorter than 32 characters, then loading is refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ASAR_TOKEN_SECRET: 'short' })).toThrow(
      /ASAR_TOKEN_SECRET length must be at least 32 characters long/,
    );
  });

  test('when development has no token secret, then a random one lives as long as the process', () => {
    const first = loadConfig({});
    const second = loadConfig({});
    expect(first.auth.tokenSecretIsEphemeral).toBe(true);
    expect(first.auth.tokenSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.auth.tokenSecret).not.toBe(second.auth.tokenSecret);
  });

  test('when the login rate limit is malformed, then loading fails naming it', () => {
    expect(() => loadConfig({ ASAR_LOGIN_RATE_LIMIT: 'ten per minute' })).toThrow(
      /ASAR_LOGIN_RATE_LIMIT must look like/,
    );
  });

  test('when a variable is empty, then its default applies', () => {
    const config = loadConfig({ PORT: '', MONGODB_URI: '', CORS_ORIGINS: '' });
    expect(config.port).toBe(3000);
    expect(config.mongodbUri).toBeUndefined();
    expect(config.corsOrigins).toEqual([]);
  });

  test('when NODE_ENV is test, then logs are silent unless LOG_LEVEL says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });

  test('when TRUST_PROXY is given, then it becomes Express trust proxy setting: a flag, a hop count or a list', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
  });

  test('when TRUST_PROXY is neither, then loading fails naming it', () => {
    for (const value of ['the nginx box', '10.0.0.0/99', '-1']) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be true, false, a number/);
    }
  });

  test('when the seed or user password is shorter than 12 characters, then loading fails naming it', () => {
    expect(() => loadConfig({ ASAR_SEED_PASSWORD: 'elevenchars', ASAR_USER_PASSWORD: 'elevenchars' })).toThrow(
      /ASAR_SEED_PASSWORD length must be at least 12.*ASAR_USER_PASSWORD length must be at least 12/,
    );
    expect(loadConfig({ ASAR_USER_PASSWORD: 'twelve chars' }).userPassword).toBe('twelve chars');
  });
});
