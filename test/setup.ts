import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Applies the real migrations; it skips those already applied, so running it per file is safe.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
