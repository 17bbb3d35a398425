/**
 * Builds the web front end (src/web/client) into dist/web, which src/web/serve.ts serves at `/`. Run through
 * scripts/build-web.ts (npm start builds when the output is missing or stale). Vitest reads the same file for the
 * client's unit tests under test/web/client.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./client'),
  base: '/',
  // sw.js (the offline app shell) is copied as it is to the root of the build.
  publicDir: here('./client/public'),
  // Vite 8 (Oxc) compiles TSX with React's automatic runtime, as src/web/tsconfig.json says ("jsx": "react-jsx"):
  // no plugin is needed for a production build.
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    // The oldest browsers Mantine supports (README: Supported browsers).
    target: ['chrome108', 'edge108', 'firefox101', 'safari15.4'],
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // Mantine marks its modules "use client" for React Server Components; a client bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  test: {
    root: here('../..'),
    include: ['test/web/client/**/*.test.ts'],
    environment: 'node',
  },
});
