import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` writes the SQL for schema changes into migrations/. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
