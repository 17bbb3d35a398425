/**
 * The environment, read once and validated. This is the only module that reads `process.env`: everything else
 * imports `config` (frozen, typed). A bad value stops the process at start with a message naming the variable,
 * rather than surfacing later as a confusing failure in the middle of a request.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Joi from 'joi';
import cron from 'node-cron';
import { version } from '../package.json';

export type Environment = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Express's 'trust proxy' setting: false (the default: req.ip is the connecting address), true (trust every proxy:
 * only when nothing but the proxy can reach Asar), a number of proxy hops, or a list of proxy addresses, subnets and
 * the names loopback, linklocal, uniquelocal.
 */
export type TrustProxy = boolean | number | readonly string[];

export interface RateLimit {
  max: number;
  windowMs: number;
}

export interface Config {
  env: Environment;
  /** Application version, reported by /health and the OpenAPI document. */
  version: string;
  port: number;
  host: string;
  /** A real MongoDB (replica set) to use; when absent the embedded database is started in-process. */
  mongodbUri?: string;
  /** Where the embedded database keeps its data. */
  dataDir: string;
  /** Port of the in-process embedded database; 0 picks any free port. */
  embeddedDbPort: number;
  /**
   * Set by `npm start` for its API workers only (ASAR_EMBEDDED_DB_URI): the embedded database its primary process
   * runs. Not for operators: a database of your own is MONGODB_URI.
   */
  embeddedDbUri?: string;
  /** How many API processes `npm start` runs (ASAR_WORKERS): one per core by default, 1 in tests. */
  workers: number;
  logLevel: LogLevel;
  /** Largest accepted request body, in body-parser's notation ('1mb'). */
  bodyLimit: string;
  /** Origins allowed by CORS; empty means CORS headers are never sent. */
  corsOrigins: readonly string[];
  /** Which proxies' X-Forwarded-For to believe: it decides the address that login limits and audit entries see. */
  trustProxy: TrustProxy;
  auth: {
    /** HMAC secret for access tokens. Always set; see `tokenSecretIsEphemeral`. */
    tokenSecret: string;
    /** True when no ASAR_TOKEN_SECRET was given outside production: a random secret lives as long as the process. */
    tokenSecretIsEphemeral: boolean;
    tokenTtlHours: number;
    tokenTtlSeconds: number;
    loginRateLimit: RateLimit;
  };
  /** Password given to the demo users by the seed script (ASAR_SEED_PASSWORD). */
  seedPassword?: string;
  /** Password for `npm run user:create` when it runs unattended (ASAR_USER_PASSWORD); otherwise it asks. */
  userPassword?: string;
  /** Organisation name printed in document headers (waybills, receipts). */
  orgName: string;
  /** Keys that protect families' personal data (see src/personal-data/keys.ts). Both are required in production. */
  personalData: {
    /** AES-256-GCM key for personal fields at rest (ASAR_PERSONAL_DATA_KEY: 32 bytes as base64 or 64 hex digits). */
    encryptionKey?: Buffer;
    /** HMAC-SHA-256 secret of the keyed hashes that match identifiers across organisations (ASAR_PERSONAL_DATA_HASH_SECRET). */
    hashSecret?: Buffer;
    /** Where a development deployment keeps the keys it generated when none were configured. */
    developmentKeyFile: string;
  };
  jobs: {
    /** Whether `npm start` runs the scheduler (ASAR_JOBS_ENABLED; off in tests, which run jobs by hand). */
    enabled: boolean;
    /** Time zone of the cron expressions (ASAR_JOBS_TIMEZONE). */
    timezone: string;
    /** Per-job cron expressions overriding the defaults, or 'off' (ASAR_JOB_SCHEDULES). */
    schedules: Readonly<Record<string, string>>;
  };
  /** Base URL printed in QR codes and next to them: `<publicUrl>/verify/<code>` (ASAR_PUBLIC_URL). */
  publicUrl: string;
  /** Requests to the public verification page allowed per caller address and window (ASAR_VERIFY_RATE_LIMIT). */
  verifyRateLimit: RateLimit;
  /**
   * How long an Idempotency-Key stays claimed by an attempt that has not finished (its process may have died):
   * until then a retry answers "still processing"; after it, the retry runs (nothing of the dead attempt committed).
   */
  idempotencyLockSeconds: number;
  /** ASAR_TEST_FAULTS: the crash tests' fault points (http/idempotency.ts). Refused in production. */
  testFaults: boolean;
}

const MIN_SECRET_LENGTH = 32;
/** Users' passwords (modules/users/passwords.ts), so also the passwords the seed and user:create give them. */
export const MIN_PASSWORD_LENGTH = 12;
const DEFAULT_LOGIN_WINDOW_MINUTES = 15;

/** A 256-bit key written as 64 hexadecimal digits or as base64 (44 characters), converted to its bytes. */
const aesKey = Joi.string()
  .trim()
  .custom((text: string, helpers) => {
    if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
    if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, 'base64');
    return helpers.error('any.invalid');
  })
  .messages({ 'any.invalid': '{{#label}} must be 32 bytes written as 64 hexadecimal digits or 44 base64 characters' });

/** `10/15m` (10 attempts per 15 minutes), `10/1h`, `10/30s`, or just `10` (per 15 minutes). */
const rateLimit = Joi.string()
  .trim()
  .pattern(/^\d+(\/\d+[smh])?$/)
  .messages({ 'string.pattern.base': '{{#label}} must look like 10/15m (attempts per window in s, m or h)' });

/**
 * `expiry-warnings=0 6 * * *; low-stock=off`: job names with a cron expression (five or six fields) or `off`,
 * separated by semicolons (commas belong to cron lists). Expressions are checked by node-cron's own parser.
 */
const jobSchedules = Joi.string()
  .trim()
  .custom((text: string, helpers) => {
    const schedules: Record<string, string> = {};
    for (const part of text.split(';').map((entry) => entry.trim())) {
      if (!part) continue;
      const match = /^([a-z][a-z0-9-]*)\s*=\s*(.+)$/.exec(part);
      if (!match || (match[2] !== 'off' && !cron.validate(match[2].trim())))
        return helpers.error('schedule.invalid', { part });
      schedules[match[1]] = match[2].trim();
    }
    return schedules;
  })
  .messages({ 'schedule.invalid': '{{#label}} has a bad entry "{{#part}}": use name=<cron expression> or name=off' });

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const proxyAddress = Joi.alternatives().try(Joi.string().valid(...PROXY_NAMES), Joi.string().ip({ cidr: 'optional' }));

const TRUST_PROXY_MESSAGE = `{{#label}} must be true, false, a number of proxy hops, or a comma-separated list of addresses, subnets or ${PROXY_NAMES.join(', ')}`;

/** `false`, `true`, a number of hops, or a comma-separated list of addresses, subnets and names. */
const trustProxy = Joi.alternatives()
  .try(
    Joi.boolean(),
    Joi.number().integer().min(0),
    Joi.string()
      .custom((text: string, helpers) => {
        const list = text
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
        const valid = list.length > 0 && list.every((entry) => !proxyAddress.validate(entry).error);
        return valid ? list : helpers.error('any.invalid');
      })
      .messages({ 'any.invalid': TRUST_PROXY_MESSAGE }),
  )
  .messages({
    'alternatives.any': TRUST_PROXY_MESSAGE,
    'alternatives.match': TRUST_PROXY_MESSAGE,
    'alternatives.types': TRUST_PROXY_MESSAGE,
  });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseRateLimit(text: string): RateLimit {
  const [count, window] = text.split('/');
  if (!window) return { max: Number(count), windowMs: DEFAULT_LOGIN_WINDOW_MINUTES * 60_000 };
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000 }[window.slice(-1) as 's' | 'm' | 'h'];
  return { max: Number(count), windowMs: Number(window.slice(0, -1)) * unitMs };
}

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'test', 'production').default('development'),
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  HOST: Joi.string().trim().default('0.0.0.0'),
  MONGODB_URI: Joi.string()
    .trim()
    .pattern(/^mongodb(\+srv)?:\/\//)
    .messages({ 'string.pattern.base': '{{#label}} must start with mongodb:// or mongodb+srv://' }),
  ASAR_DATA_DIR: Joi.string().trim().default('./data'),
  ASAR_EMBEDDED_DB_PORT: Joi.number().integer().min(0).max(65535).default(0),
  ASAR_EMBEDDED_DB_URI: Joi.string()
    .trim()
    .pattern(/^mongodb:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+\//)
    .messages({
      'string.pattern.base': '{{#label}} is set by npm start for its workers: a loopback mongodb:// address',
    }),
  ASAR_WORKERS: Joi.number()
    .integer()
    .min(1)
    .max(256)
    .default(Joi.ref('NODE_ENV', { adjust: (env: string) => (env === 'test' ? 1 : availableParallelism()) })),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default(Joi.ref('NODE_ENV', { adjust: (env: string) => (env === 'test' ? 'silent' : 'info') })),
  BODY_LIMIT: Joi.string()
    .trim()
    .lowercase()
    .pattern(/^\d+(b|kb|mb)$/)
    .default('1mb')
    .messages({ 'string.pattern.base': '{{#label}} must be a size such as 100kb or 1mb' }),
  CORS_ORIGINS: Joi.string().trim().allow(''),
  TRUST_PROXY: trustProxy.default(false),
  ASAR_TOKEN_SECRET: Joi.string()
    .min(MIN_SECRET_LENGTH)
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .when('NODE_ENV', { is: 'production', then: Joi.required() })
    .messages({ 'any.required': `{{#label}} is required in production (at least ${MIN_SECRET_LENGTH} characters)` }),
  ASAR_TOKEN_TTL_HOURS: Joi.number()
    .positive()
    .max(24 * 30)
    .default(12),
  ASAR_LOGIN_RATE_LIMIT: rateLimit.default(`10/${DEFAULT_LOGIN_WINDOW_MINUTES}m`),
  ASAR_SEED_PASSWORD: Joi.string().min(MIN_PASSWORD_LENGTH),
  ASAR_USER_PASSWORD: Joi.string().min(MIN_PASSWORD_LENGTH),
  ASAR_ORG_NAME: Joi.string().trim().max(200).default('Asar'),
  ASAR_PERSONAL_DATA_KEY: aesKey
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .when('NODE_ENV', { is: 'production', then: Joi.required() })
    .messages({ 'any.required': '{{#label}} is required in production (32 bytes: 64 hex digits or base64)' }),
  ASAR_PERSONAL_DATA_HASH_SECRET: Joi.string()
    .min(MIN_SECRET_LENGTH)
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .when('NODE_ENV', { is: 'production', then: Joi.required() })
    .messages({ 'any.required': `{{#label}} is required in production (at least ${MIN_SECRET_LENGTH} characters)` }),
  ASAR_JOBS_ENABLED: Joi.boolean().default(Joi.ref('NODE_ENV', { adjust: (env: string) => env !== 'test' })),
  ASAR_JOBS_TIMEZONE: Joi.string()
    .trim()
    .custom((zone: string, helpers) => (isTimeZone(zone) ? zone : helpers.error('any.invalid')))
    .default('Asia/Almaty')
    .messages({ 'any.invalid': '{{#label}} must be an IANA time zone such as Asia/Almaty' }),
  ASAR_JOB_SCHEDULES: jobSchedules,
  ASAR_PUBLIC_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .replace(/\/+$/, '')
    .default(Joi.ref('PORT', { adjust: (port: number) => `http://localhost:${port}` })),
  ASAR_VERIFY_RATE_LIMIT: rateLimit.default('30/1m'),
  ASAR_IDEMPOTENCY_LOCK_SECONDS: Joi.number().integer().min(1).max(3600).default(120),
  ASAR_TEST_FAULTS: Joi.boolean()
    .default(false)
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .when('NODE_ENV', { is: 'production', then: Joi.valid(false) })
    .messages({ 'any.only': '{{#label}} kills the process on purpose (crash tests) and is refused in production' }),
})
  .unknown(true)
  .prefs({ abortEarly: false, convert: true, errors: { wrap: { label: false } } });

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates an environment (normally `process.env`) into a frozen Config. Empty strings count as unset, so a
 * blank line in an env file falls back to the default. Throws ConfigError naming every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const { value: v, error } = schema.validate(given);
  if (error) {
    throw new ConfigError(`Invalid configuration: ${error.details.map((d) => d.message).join('; ')}`);
  }

  const secret: string | undefined = v.ASAR_TOKEN_SECRET;
  const config: Config = {
    env: v.NODE_ENV,
    version,
    port: v.PORT,
    host: v.HOST,
    mongodbUri: v.MONGODB_URI,
    dataDir: v.ASAR_DATA_DIR,
    embeddedDbPort: v.ASAR_EMBEDDED_DB_PORT,
    embeddedDbUri: v.ASAR_EMBEDDED_DB_URI,
    workers: v.ASAR_WORKERS,
    logLevel: v.LOG_LEVEL,
    bodyLimit: v.BODY_LIMIT,
    corsOrigins: Object.freeze(
      String(v.CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
    trustProxy: Array.isArray(v.TRUST_PROXY) ? Object.freeze(v.TRUST_PROXY) : v.TRUST_PROXY,
    auth: Object.freeze({
      tokenSecret: secret ?? randomBytes(32).toString('hex'),
      tokenSecretIsEphemeral: secret === undefined,
      tokenTtlHours: v.ASAR_TOKEN_TTL_HOURS,
      tokenTtlSeconds: Math.round(v.ASAR_TOKEN_TTL_HOURS * 3600),
      loginRateLimit: Object.freeze(parseRateLimit(v.ASAR_LOGIN_RATE_LIMIT)),
    }),
    seedPassword: v.ASAR_SEED_PASSWORD,
    userPassword: v.ASAR_USER_PASSWORD,
    orgName: v.ASAR_ORG_NAME,
    personalData: Object.freeze({
      encryptionKey: v.ASAR_PERSONAL_DATA_KEY,
      hashSecret: v.ASAR_PERSONAL_DATA_HASH_SECRET ? Buffer.from(v.ASAR_PERSONAL_DATA_HASH_SECRET, 'utf8') : undefined,
      developmentKeyFile: join(v.ASAR_DATA_DIR, 'personal-data-keys.json'),
    }),
    jobs: Object.freeze({
      enabled: v.ASAR_JOBS_ENABLED,
      timezone: v.ASAR_JOBS_TIMEZONE,
      schedules: Object.freeze(v.ASAR_JOB_SCHEDULES ?? {}),
    }),
    publicUrl: v.ASAR_PUBLIC_URL,
    verifyRateLimit: Object.freeze(parseRateLimit(v.ASAR_VERIFY_RATE_LIMIT)),
    idempotencyLockSeconds: v.ASAR_IDEMPOTENCY_LOCK_SECONDS,
    testFaults: v.ASAR_TEST_FAULTS,
  };
  return Object.freeze(config);
}

export const config: Readonly<Config> = loadConfig(process.env);
