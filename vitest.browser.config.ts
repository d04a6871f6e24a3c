import { defineConfig } from 'vitest/config';

// Browser tests: Node drives Debian's Chromium (playwright-core) against the real worker started
// as `npm start` does. One worker and one browser per run, started in the global setup.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // the machine may be busy: give htmx swaps and page loads time before a poll gives up
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
