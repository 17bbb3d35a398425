/**
 * One Jest run for everything under test/. The globalSetup starts one database server for the whole run
 * (see test/setup/global-setup.ts); each worker uses its own database on it. ts-jest only transpiles
 * (isolated modules) for speed: `npm run typecheck` is where types are checked.
 *
 * The `crash` project holds the tests that start and SIGKILL processes of their own (the embedded database's
 * crash safety, the API's exactly-once retries): `npm test` runs them too, `npm run test:crash` runs only them.
 */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  // A run-wide option: Jest ignores it inside `projects`.
  testTimeout: 20_000,
  projects: [
    {
      ...shared,
      displayName: 'default',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // test/web/client holds the web client's unit tests, which Vitest runs (npm test runs both).
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/embedded-db/crash/',
        '<rootDir>/test/crash/',
        '<rootDir>/test/web/client/',
      ],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/test-reads.ts'],
    },
    {
      ...shared,
      displayName: 'crash',
      testMatch: ['<rootDir>/test/embedded-db/crash/**/*.test.ts', '<rootDir>/test/crash/**/*.test.ts'],
    },
  ],
};
