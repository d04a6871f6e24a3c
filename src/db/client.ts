import { drizzle } from 'drizzle-orm/d1';

/**
 * Opens the D1 binding through drizzle's query builder. No schema is passed: the relational
 * query API is not used, and building its config from the schema cost every request ~0.5 ms.
 */
export function openDatabase(d1: D1Database) {
  return drizzle(d1);
}

/** The drizzle handle the domain works with. */
export type Database = ReturnType<typeof openDatabase>;
