/**
 * Raw D1 access for the tracking domain's set-based SQL: the write paths put whole batches of
 * rows into one JSON text read through `json_each(?)`, which drizzle's builder cannot express.
 * Values are always bound, never pasted into SQL.
 */
import { is, SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Database } from '../db/client';

const dialect = new SQLiteAsyncDialect();

/** The D1 binding under the drizzle handle. */
export function d1(db: Database): D1Database {
  return db.$client as D1Database;
}

/** A prepared statement with its values bound. */
export function stmt(db: Database, sql: string, ...values: unknown[]): D1PreparedStatement {
  return d1(db).prepare(sql).bind(...values);
}

/** The first row of a statement, or null. */
export async function first<T>(db: Database, sql: string, ...values: unknown[]): Promise<T | null> {
  return (await stmt(db, sql, ...values).first<T>()) ?? null;
}

/** All rows of a statement. */
export async function all<T>(db: Database, sql: string, ...values: unknown[]): Promise<T[]> {
  return (await stmt(db, sql, ...values).all<T>()).results;
}

/** A statement of a batch: bound D1, drizzle's `sql` (raw SQL with bound values), or a drizzle query builder. */
export type Statement = D1PreparedStatement | SQL | { toSQL(): { sql: string; params: unknown[] } };

/**
 * The one D1 batch helper: runs statements in order in one round trip and one transaction
 * (what drizzle's own `batch` cannot carry: raw SQL such as INSERT ... SELECT from json_each);
 * returns D1's result of each (rows in `results`).
 */
export async function batch(db: Database, statements: Statement[]): Promise<D1Result<Record<string, unknown>>[]> {
  const binding = d1(db);
  return binding.batch(
    statements.map((statement) => {
      if (is(statement, SQL)) {
        const query = dialect.sqlToQuery(statement);
        return binding.prepare(query.sql).bind(...query.params);
      }
      if ('toSQL' in statement) {
        const query = statement.toSQL();
        return binding.prepare(query.sql).bind(...query.params);
      }
      return statement;
    }),
  );
}

/**
 * Whether `error` is SQLite's UNIQUE constraint failure on exactly `columns` (e.g.
 * "experiments.project_id, experiments.name"; D1 reports it in the message).
 */
export function isUniqueViolation(error: unknown, columns: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes(`UNIQUE constraint failed: ${columns}`)) return true;
  }
  return false;
}

/** Current time in milliseconds. */
export const nowMs = () => Date.now();
