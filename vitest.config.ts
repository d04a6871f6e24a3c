import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Tests run inside workerd with the worker's real bindings (D1, R2, KV from wrangler.toml),
// with the real migrations applied by test/setup.ts. Browser tests have their own config.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/browser/**'],
      setupFiles: ['./test/setup.ts'],
      // the worker's one-line-per-request log (src/http/request-log.ts) would drown the report
      onConsoleLog: (log) => !log.startsWith('{"level":"info","message":"request"'),
      // Generous: a loaded 2-core machine runs workerd slowly; speed is measured in bench/, not here.
      testTimeout: 30_000,
    },
  };
});
