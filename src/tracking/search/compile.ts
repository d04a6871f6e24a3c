/**
 * What every search compiler shares: turning one comparison into SQL with bound values, checking
 * a comparison's comparator and value types (errors name the column), ordering with keyset paging,
 * and running the statement within D1's limit of bound parameters.
 */
import { sql, type SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Database } from '../../db/client';
import { InvalidInputError } from '../../errors';
import { syntaxError } from './lexer';
import type { Comparator, Comparison, Expr, ListValue, Literal } from './parser';
import { decodePageToken, encodePageToken, type Keyset, type PageSide, type TermType } from './page-token';
import type { SearchPage, ViewType } from './types';

/** D1 refuses a statement with more bound parameters than this. */
export const MAX_BOUND_PARAMETERS = 100;

/** ±Infinity as stored (see schema.ts): the largest finite doubles. */
export const STORED_INFINITY = 1.7976931348623157e308;

/** What string, number and presence comparisons may use. */
export const STRING_COMPARATORS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
export const NUMBER_COMPARATORS: Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
export const PRESENCE_COMPARATORS: Comparator[] = ['IS NULL', 'IS NOT NULL'];

/** Throws unless `cmp.op` is one of `allowed`, naming the column of the comparator. */
export function requireComparator(cmp: Comparison, allowed: Comparator[], field = 'filter'): void {
  if (!allowed.includes(cmp.op)) {
    throw syntaxError(field, cmp.opPos, `${cmp.ident.text} does not take ${cmp.op}; use one of ${allowed.join(', ')}`);
  }
}

/**
 * D1 refuses a LIKE or GLOB pattern longer than this many bytes ("LIKE or GLOB pattern too
 * complex"), and SQLite has no other pattern match to fall back on (no REGEXP in D1). Matching
 * long patterns with a recursive query (instr to each candidate place, then the pieces between
 * `_`) was tried: exact, but a 63-character pattern over 1,000 values of 2,000 characters ran
 * over 90 s, and D1 runs one query at a time per database, so a longer pattern is a 400.
 */
export const MAX_PATTERN_BYTES = 50;

/**
 * The string (or, for IN / NOT IN, the strings) a comparison compares with. A LIKE / ILIKE
 * pattern longer than D1 takes is refused here, naming the limit, before any SQL runs.
 */
export function stringValue(cmp: Comparison, field = 'filter'): string | string[] {
  const value = cmp.value!;
  if (value.kind === 'list') {
    const bad = value.items.find((item) => item.kind !== 'string');
    if (bad) throw syntaxError(field, bad.pos, `${cmp.ident.text} compares with quoted strings, found ${bad.text}`);
    return value.items.map((item) => item.value as string);
  }
  if (value.kind !== 'string') throw syntaxError(field, value.pos, `${cmp.ident.text} compares with a quoted string such as '${value.text}', found the number ${value.text}`);
  if (cmp.op === 'LIKE' || cmp.op === 'ILIKE') {
    const bytes = new TextEncoder().encode(sqlPattern(cmp.op, value.value)).length;
    if (bytes > MAX_PATTERN_BYTES) {
      throw syntaxError(field, value.pos, `a ${cmp.op} pattern may take at most ${MAX_PATTERN_BYTES} bytes (the database's limit), this one takes ${bytes}; match a shorter, distinctive part between % wildcards`);
    }
  }
  return value.value;
}

/** The number a comparison compares with (±Infinity clamped as stored). */
export function numberValue(cmp: Comparison, field = 'filter'): number {
  const value = cmp.value as Literal | ListValue;
  if (value.kind !== 'number') throw syntaxError(field, value.pos, `${cmp.ident.text} compares with a number, found ${value.text}`);
  return Math.max(-STORED_INFINITY, Math.min(STORED_INFINITY, value.value));
}

/** MLflow's LIKE is case-sensitive: as a GLOB pattern, `%` → `*`, `_` → `?`, GLOB's own metacharacters escaped. */
export function likeToGlob(pattern: string): string {
  return pattern.replace(/[*?[%_]/g, (c) => ({ '*': '[*]', '?': '[?]', '[': '[[]', '%': '*', _: '?' })[c]!);
}

/** The pattern SQL is given for a LIKE (case-sensitive: GLOB) or ILIKE (SQLite's LIKE) comparison. */
function sqlPattern(op: 'LIKE' | 'ILIKE', pattern: string): string {
  return op === 'LIKE' ? likeToGlob(pattern) : pattern;
}

/** `column <op> value` for a text column (a LIKE value checked by `stringValue`); lists go in as one JSON parameter. */
export function compareText(column: SQL, op: Comparator, value: string | string[]): SQL {
  switch (op) {
    case 'LIKE':
      return sql`${column} GLOB ${sqlPattern(op, value as string)}`;
    case 'ILIKE':
      return sql`${column} LIKE ${sqlPattern(op, value as string)}`;
    case 'IN':
      return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(value)}))`;
    case 'NOT IN':
      return sql`${column} NOT IN (SELECT value FROM json_each(${JSON.stringify(value)}))`;
    default:
      return sql`${column} ${sql.raw(op)} ${value as string}`;
  }
}

/** `column <op> value` for a numeric column. */
export function compareNumber(column: SQL, op: Comparator, value: number): SQL {
  if (!NUMBER_COMPARATORS.includes(op)) throw new Error(`compareNumber: ${op}`);
  return sql`${column} ${sql.raw(op)} ${value}`;
}

/** Compiles a tree with `leaf` for each comparison; AND / OR keep their grouping. */
export function compileExpr(expr: Expr, leaf: (cmp: Comparison) => SQL): SQL {
  if (expr.kind === 'cmp') return leaf(expr);
  const joiner = expr.kind === 'and' ? sql` AND ` : sql` OR `;
  return sql`(${compileExpr(expr.left, leaf)}${joiner}${compileExpr(expr.right, leaf)})`;
}

/** The lifecycle_stage condition of a view type. */
export function viewTypeCondition(column: SQL, viewType: ViewType | undefined): SQL | undefined {
  switch (viewType ?? 'ACTIVE_ONLY') {
    case 'ACTIVE_ONLY':
      return sql`${column} = 'active'`;
    case 'DELETED_ONLY':
      return sql`${column} = 'deleted'`;
    case 'ALL':
      return undefined;
    default:
      throw new InvalidInputError(`Invalid view type '${String(viewType)}'; use ACTIVE_ONLY, DELETED_ONLY or ALL`, 'view_type');
  }
}

/** The order_by clauses of a search: a list of strings, or nothing. */
export function orderClauses(orderBy: unknown): string[] {
  if (orderBy == null) return [];
  if (!Array.isArray(orderBy) || orderBy.some((clause) => typeof clause !== 'string')) {
    throw new InvalidInputError('Invalid order_by: it must be a list of strings such as "metrics.loss DESC"', 'order_by');
  }
  return orderBy;
}

/** Ids the caller checked, as a JSON list for `json_each` (more than one) or a single bound value. */
export function idsCondition(column: SQL, ids: unknown, field: string): SQL | null {
  if (!Array.isArray(ids) || ids.some((id) => !Number.isSafeInteger(id))) throw new InvalidInputError(`Invalid ${field}: it must be a list of ids`, field);
  if (ids.length === 0) return null;
  return ids.length === 1 ? sql`${column} = ${ids[0]}` : sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/** A column a search filters or orders on: its SQL, its type, the name its order term goes by; `nullable` when a row may lack it. */
export type Attribute = { sql: SQL; type: 'text' | 'number'; name: string; nullable?: boolean };

/** A comparison with an attribute: a number with the numeric comparators, text with the string ones. */
export function compareAttribute(cmp: Comparison, attribute: Attribute): SQL {
  if (attribute.type === 'number') {
    requireComparator(cmp, NUMBER_COMPARATORS);
    return compareNumber(attribute.sql, cmp.op, numberValue(cmp));
  }
  requireComparator(cmp, STRING_COMPARATORS);
  return compareText(attribute.sql, cmp.op, stringValue(cmp));
}

/** The order term of an attribute; a missing value (nullable attributes) sorts last either way. */
export function attributeTerm(attribute: Attribute, ascending: boolean): OrderTerm {
  return {
    value: attribute.sql,
    rank: attribute.nullable ? sql`(CASE WHEN ${attribute.sql} IS NULL THEN 1 ELSE 0 END)` : undefined,
    ascending,
    type: attribute.type,
    describe: attribute.name,
  };
}

/**
 * One term of an ordering. `rank` (0 for a value; 1, 2 for what sorts after every value whatever
 * the direction, such as NaN or missing) is absent when the value is never null.
 */
export type OrderTerm = { value: SQL; ascending: boolean; type: TermType; rank?: SQL; describe: string };

/** A search ready to run: what it selects from, its conditions, its ordering (unique at the end). */
export type KeysetQuery = {
  id: SQL;
  from: SQL;
  where: (SQL | undefined)[];
  order: OrderTerm[];
  maxResults: number;
  pageToken?: string;
};

const dialect = new SQLiteAsyncDialect();

/** The SELECT of a keyset-paged search (exported for query-plan checks), checked against D1's parameter limit. */
export function keysetStatement(query: KeysetQuery): { statement: SQL; ordering: string; side: PageSide } {
  const ordering = query.order.map((term) => `${term.describe}:${term.ascending ? 'asc' : 'desc'}`).join('|');
  const conditions = query.where.filter((c): c is SQL => c !== undefined);
  let side: PageSide = 'after';
  if (query.pageToken) {
    const token = decodePageToken(query.pageToken, ordering, query.order.map((term) => term.type));
    side = token.side;
    conditions.push(beyond(query.order, token.keyset, 0, side));
  }
  // the page before a row is read backwards from it (the ordering reversed), then put back in order
  const forward = side === 'after';
  const columns = query.order.map((term, i) => sql`, ${term.rank ?? sql`0`} AS ${sql.raw(`r${i}`)}, ${term.value} AS ${sql.raw(`v${i}`)}`);
  const orderBy = sql.join(
    query.order.flatMap((term) => [
      ...(term.rank ? [sql`${term.rank} ${sql.raw(forward ? 'ASC' : 'DESC')}`] : []),
      sql`${term.value} ${sql.raw(term.ascending === forward ? 'ASC' : 'DESC')}`,
    ]),
    sql`, `,
  );
  const where = conditions.length ? sql` WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const statement = sql`SELECT ${query.id} AS id${sql.join(columns, sql``)} FROM ${query.from}${where} ORDER BY ${orderBy} LIMIT ${query.maxResults + 1}`;
  const bound = dialect.sqlToQuery(statement).params.length;
  if (bound > MAX_BOUND_PARAMETERS) {
    throw new InvalidInputError(`This search is too complex: it needs ${bound} values, at most ${MAX_BOUND_PARAMETERS} fit in one query; use fewer comparisons or IN lists`, 'filter');
  }
  return { statement, ordering, side };
}

/**
 * Runs a keyset-paged search and returns one page of ids with the next page's token, and, for a
 * page reached by a token, the token of the page before it.
 */
export async function runKeysetQuery<Id extends number>(db: Database, query: KeysetQuery): Promise<SearchPage<Id>> {
  const { statement, ordering, side } = keysetStatement(query);
  const rows = await db.all<Record<string, number | string | null>>(statement);
  const more = rows.length > query.maxResults;
  const page = rows.slice(0, query.maxResults);
  if (side === 'before') page.reverse();
  const keysetOf = (row: Record<string, number | string | null>): Keyset =>
    query.order.map((_, i) => {
      const rank = Number(row[`r${i}`]);
      return [rank, rank > 0 ? null : (row[`v${i}`] as number | string)];
    });
  const result: SearchPage<Id> = { ids: page.map((row) => row.id as Id) };
  if (page.length === 0) return result;
  // forward: more rows follow when the page overflowed; backward: the token's own row follows
  if (side === 'before' || more) result.nextPageToken = encodePageToken(ordering, keysetOf(page[page.length - 1]));
  // forward: the token's row precedes; backward: more rows precede when the page overflowed
  if ((side === 'after' && query.pageToken) || (side === 'before' && more)) result.previousPageToken = encodePageToken(ordering, keysetOf(page[0]), 'before');
  return result;
}

/** How many rows a search matches in all (its page token and size aside). */
export async function countKeysetQuery(db: Database, query: KeysetQuery): Promise<number> {
  const conditions = query.where.filter((c): c is SQL => c !== undefined);
  const where = conditions.length ? sql` WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${query.from}${where}`);
  return row?.n ?? 0;
}

/**
 * Rows strictly after (or before) `keyset` in the ordering, from term `i` on (nested, so each
 * value is bound twice at most). Ranks (NaN, missing) sort after every value in both directions.
 */
function beyond(order: OrderTerm[], keyset: Keyset, i: number, side: PageSide): SQL {
  const term = order[i];
  const [rank, value] = keyset[i];
  const forward = side === 'after';
  const past = term.ascending === forward ? sql`>` : sql`<`;
  let strictly: SQL;
  let equal: SQL;
  if (!term.rank) {
    strictly = sql`${term.value} ${past} ${value}`;
    equal = sql`${term.value} = ${value}`;
  } else if (rank > 0) {
    strictly = forward ? sql`${term.rank} > ${rank}` : sql`${term.rank} < ${rank}`;
    equal = sql`${term.rank} = ${rank}`;
  } else {
    strictly = forward ? sql`(${term.rank} > 0 OR (${term.rank} = 0 AND ${term.value} ${past} ${value}))` : sql`(${term.rank} = 0 AND ${term.value} ${past} ${value})`;
    equal = sql`(${term.rank} = 0 AND ${term.value} = ${value})`;
  }
  if (i === order.length - 1) return strictly;
  return sql`(${strictly} OR (${equal} AND ${beyond(order, keyset, i + 1, side)}))`;
}
