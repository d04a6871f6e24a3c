import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

/** Opens the D1 binding through drizzle with the whole schema. */
export function openDatabase(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** The drizzle handle the domain works with. */
export type Database = ReturnType<typeof openDatabase>;
