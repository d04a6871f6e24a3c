declare namespace Cloudflare {
  interface Env {
    /** The migrations, read by vitest.config.ts and applied by test/setup.ts. */
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
}
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../src/index');
  }
}
