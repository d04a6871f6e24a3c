import { drizzle } from 'drizzle-orm/d1';

/**
 * Opens the D1 binding, or a D1 session of it (`withSession`), through drizzle's query builder.
 * No schema is passed: the relational query API is not used, and building its config from the
 * schema cost every request ~0.5 ms.
 */
export function openDatabase(d1: D1Database | D1DatabaseSession) {
  // drizzle only prepares and batches, which a session does as the database does
  return drizzle(d1 as D1Database);
}

/** The drizzle handle the domain works with. */
export type Database = ReturnType<typeof openDatabase>;
