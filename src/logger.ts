/**
 * The application logger (pino, JSON lines). Credentials never reach a log line: request headers that carry them
 * and body or object fields named like secrets are redacted wherever they appear in the first levels of a log object.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { config, type LogLevel } from './config';

const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'secret',
  'tokenSecret',
];

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** A logger with the application's settings; tests pass a destination to read what was logged. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'asar' },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export const logger: Logger = createLogger(config.logLevel);
