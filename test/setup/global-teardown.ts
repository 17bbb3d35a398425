/** Stops the database server the globalSetup started (nothing to stop for TEST_MONGODB_URI). */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__ASAR_TEST_SERVER__;
  globalThis.__ASAR_TEST_SERVER__ = undefined;
  await server?.stop();
}
