/**
 * One round trip, one transaction, for statements drizzle's own `batch` cannot carry (raw SQL
 * with bound values, such as INSERT ... SELECT from json_each): each statement is turned into a
 * bound D1 statement and all go through D1's batch.
 */
import { is, SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Database } from '../../db/client';

const dialect = new SQLiteAsyncDialect();

/** Raw SQL, or a drizzle query builder. */
export type Statement = SQL | { toSQL(): { sql: string; params: unknown[] } };

/** Runs the statements in order as one transaction; returns D1's result of each (rows in `results`). */
export function runBatch(db: Database, statements: Statement[]): Promise<D1Result<Record<string, unknown>>[]> {
  const d1 = db.$client;
  return d1.batch(
    statements.map((statement) => {
      const query = is(statement, SQL) ? dialect.sqlToQuery(statement) : statement.toSQL();
      return d1.prepare(query.sql).bind(...query.params);
    }),
  );
}
