/**
 * runs/search: MLflow's run filter (metrics, params, tags, attributes, datasets; plus OR and
 * parentheses) and order_by, compiled to one SQL statement over candidates with keyset paging.
 * Metrics compare and sort on their latest value (`latest_metrics`), never on the history.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { syntaxError } from './lexer';
import { parseFilter, parseOrderClause, type Comparison, type Expr, type Ident } from './parser';
import {
  compareNumber,
  compareText,
  compileExpr,
  idsCondition,
  numberValue,
  orderClauses,
  NUMBER_COMPARATORS,
  PRESENCE_COMPARATORS,
  requireComparator,
  runKeysetQuery,
  countKeysetQuery,
  STRING_COMPARATORS,
  stringValue,
  viewTypeCondition,
  type KeysetQuery,
  type OrderTerm,
} from './compile';
import { checkMaxResults } from '../limits';
import type { RunSearch, SearchPage } from './types';

/** MLflow's largest runs/search page. */
export const MAX_RUNS_PAGE = 50_000;

/** What an identifier of a run filter or order_by designates. */
export type RunField =
  | { kind: 'metric' | 'param' | 'tag'; key: string }
  | { kind: 'attribute'; name: RunAttribute }
  | { kind: 'dataset'; name: 'name' | 'digest' | 'context' };

type RunAttribute = 'start_time' | 'end_time' | 'status' | 'run_name' | 'run_id' | 'user_id';

const ENTITIES: Record<string, RunField['kind']> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const ATTRIBUTES: Record<string, RunAttribute> = {
  start_time: 'start_time',
  created: 'start_time',
  Created: 'start_time',
  end_time: 'end_time',
  status: 'status',
  run_name: 'run_name',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
  run_id: 'run_id',
  user_id: 'user_id',
};

const ATTRIBUTE_COLUMNS: Record<RunAttribute, SQL> = {
  start_time: sql`c.start_time`,
  end_time: sql`c.end_time`,
  status: sql`c.status`,
  run_name: sql`c.name`,
  run_id: sql`c.run_id`,
  user_id: sql`c.mlflow_user`,
};

const NUMERIC_ATTRIBUTES = new Set<RunAttribute>(['start_time', 'end_time']);

/** Resolves an identifier of a run filter or order_by; an unknown one names its column. */
export function resolveRunField(ident: Ident, field: string): RunField {
  const kind = ident.entity === undefined ? 'attribute' : ENTITIES[ident.entity];
  if (!kind) {
    throw syntaxError(field, ident.pos, `unknown entity '${ident.entity}' in ${ident.text}; use metrics., params., tags., attributes. or datasets.`);
  }
  if (ident.key === '') throw syntaxError(field, ident.pos, `${ident.text} names no key`);
  if (kind === 'attribute') {
    const name = ATTRIBUTES[ident.key];
    if (!name) {
      throw syntaxError(field, ident.pos, `unknown attribute '${ident.key}'; use one of run_id, run_name, status, user_id, start_time, end_time, created`);
    }
    return { kind, name };
  }
  if (kind === 'dataset') {
    if (ident.key !== 'name' && ident.key !== 'digest' && ident.key !== 'context') {
      throw syntaxError(field, ident.pos, `unknown dataset field '${ident.key}'; use datasets.name, datasets.digest or datasets.context`);
    }
    return { kind, name: ident.key };
  }
  return { kind, key: ident.key };
}

const KEYED_TABLES = { metric: sql`latest_metrics`, param: sql`candidate_params`, tag: sql`candidate_tags` };

/**
 * What a metric, param or tag comparison asks of that key's row (`alias`), as a trailing
 * ` AND ...` (empty for IS NOT NULL). NaN equals nothing and differs from everything, as in Python.
 */
function keyedRowCondition(kind: 'metric' | 'param' | 'tag', cmp: Comparison, alias: SQL): SQL {
  if (cmp.op === 'IS NOT NULL') return sql``;
  if (kind === 'metric') {
    requireComparator(cmp, [...NUMBER_COMPARATORS, ...PRESENCE_COMPARATORS]);
    const value = numberValue(cmp);
    return cmp.op === '!='
      ? sql` AND (${alias}.is_nan = 1 OR ${alias}.value != ${value})`
      : sql` AND ${alias}.is_nan = 0 AND ${compareNumber(sql`${alias}.value`, cmp.op, value)}`;
  }
  requireComparator(cmp, [...STRING_COMPARATORS, ...PRESENCE_COMPARATORS]);
  return sql` AND ${compareText(sql`${alias}.value`, cmp.op, stringValue(cmp))}`;
}

/**
 * A comparison standing alone in the top-level AND chain, on a metric, param or tag, as an inner
 * join: each run has at most one row per key, so the join keeps rows one-to-one, and CROSS JOIN
 * keeps candidates as the outer loop (read through the experiment index). Null when the
 * comparison needs the general form.
 */
function keyedJoin(cmp: Comparison, alias: SQL): SQL | null {
  const target = resolveRunField(cmp.ident, 'filter');
  if ((target.kind !== 'metric' && target.kind !== 'param' && target.kind !== 'tag') || cmp.op === 'IS NULL') return null;
  return sql` CROSS JOIN ${KEYED_TABLES[target.kind]} ${alias} ON ${alias}.candidate_id = c.id AND ${alias}.key = ${target.key}${keyedRowCondition(target.kind, cmp, alias)}`;
}

/** One comparison of a run filter as a condition on the candidate `c`. */
function compileRunComparison(cmp: Comparison): SQL {
  const target = resolveRunField(cmp.ident, 'filter');
  switch (target.kind) {
    case 'metric':
    case 'param':
    case 'tag': {
      const exists = (condition: SQL) => sql`EXISTS (SELECT 1 FROM ${KEYED_TABLES[target.kind]} k WHERE k.candidate_id = c.id AND k.key = ${target.key}${condition})`;
      if (cmp.op === 'IS NULL') return sql`NOT ${exists(sql``)}`;
      return exists(keyedRowCondition(target.kind, cmp, sql`k`));
    }
    case 'attribute': {
      const column = ATTRIBUTE_COLUMNS[target.name];
      if (NUMERIC_ATTRIBUTES.has(target.name)) {
        if (target.name === 'end_time' && cmp.op === 'IS NULL') return sql`${column} IS NULL`;
        if (target.name === 'end_time' && cmp.op === 'IS NOT NULL') return sql`${column} IS NOT NULL`;
        requireComparator(cmp, target.name === 'end_time' ? [...NUMBER_COMPARATORS, ...PRESENCE_COMPARATORS] : NUMBER_COMPARATORS);
        return compareNumber(column, cmp.op, numberValue(cmp));
      }
      requireComparator(cmp, STRING_COMPARATORS);
      return compareText(column, cmp.op, stringValue(cmp));
    }
    case 'dataset': {
      requireComparator(cmp, STRING_COMPARATORS);
      const value = stringValue(cmp);
      if (target.name === 'context') {
        return sql`EXISTS (SELECT 1 FROM candidate_inputs i, json_each(CASE WHEN json_valid(i.tags) THEN i.tags ELSE '[]' END) t WHERE i.candidate_id = c.id AND json_extract(t.value, '$.key') = 'mlflow.data.context' AND ${compareText(sql`json_extract(t.value, '$.value')`, cmp.op, value)})`;
      }
      const column = target.name === 'name' ? sql`d.name` : sql`d.digest`;
      return sql`EXISTS (SELECT 1 FROM candidate_inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.candidate_id = c.id AND ${compareText(column, cmp.op, value)})`;
    }
  }
}

/** The ordering of a runs/search: the given clauses, then start_time DESC, then run_id. */
function runOrdering(orderBy: string[] | undefined): { terms: OrderTerm[]; joins: SQL[] } {
  const terms: OrderTerm[] = [];
  const joins: SQL[] = [];
  const seen = new Set<string>();
  orderClauses(orderBy).forEach((clause, index) => {
    const field = `order_by[${index}]`;
    const { ident, ascending } = parseOrderClause(clause, field);
    const target = resolveRunField(ident, field);
    if (target.kind === 'dataset') throw syntaxError(field, ident.pos, 'runs cannot be ordered by a dataset field');
    const describe = target.kind === 'attribute' ? `attribute:${target.name}` : `${target.kind}:${JSON.stringify(target.key)}`;
    if (seen.has(describe)) throw syntaxError(field, ident.pos, `${ident.text} appears twice in order_by`);
    seen.add(describe);
    if (target.kind === 'attribute') {
      const value = ATTRIBUTE_COLUMNS[target.name];
      const numeric = NUMERIC_ATTRIBUTES.has(target.name);
      const rank = target.name === 'end_time' ? sql`(CASE WHEN c.end_time IS NULL THEN 1 ELSE 0 END)` : undefined;
      terms.push({ value, ascending, type: numeric ? 'number' : 'text', rank, describe });
      return;
    }
    const alias = sql.raw(`o${index}`);
    const table = KEYED_TABLES[target.kind];
    joins.push(sql` LEFT JOIN ${table} ${alias} ON ${alias}.candidate_id = c.id AND ${alias}.key = ${target.key}`);
    const rank =
      target.kind === 'metric'
        ? sql`(CASE WHEN ${alias}.candidate_id IS NULL THEN 2 WHEN ${alias}.is_nan = 1 THEN 1 ELSE 0 END)`
        : sql`(CASE WHEN ${alias}.candidate_id IS NULL THEN 1 ELSE 0 END)`;
    terms.push({ value: sql`${alias}.value`, ascending, type: target.kind === 'metric' ? 'number' : 'text', rank, describe });
  });
  if (!seen.has('attribute:start_time')) terms.push({ value: sql`c.start_time`, ascending: false, type: 'number', describe: 'attribute:start_time' });
  if (!seen.has('attribute:run_id')) terms.push({ value: sql`c.run_id`, ascending: true, type: 'text', describe: 'attribute:run_id' });
  return { terms, joins };
}

/** The top-level AND chain of a filter, in order. */
function conjuncts(expr: Expr): Expr[] {
  return expr.kind === 'and' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}

/** The statement of a runs/search, or null when it names no experiment. */
export function compileRunSearch(search: RunSearch): KeysetQuery | null {
  checkMaxResults(search.maxResults, MAX_RUNS_PAGE);
  const filter = parseFilter(search.filter);
  const filterJoins: SQL[] = [];
  const conditions: SQL[] = [];
  (filter ? conjuncts(filter) : []).forEach((expr, i) => {
    const join = expr.kind === 'cmp' ? keyedJoin(expr, sql.raw(`f${i}`)) : null;
    if (join) filterJoins.push(join);
    else conditions.push(compileExpr(expr, compileRunComparison));
  });
  const { terms, joins } = runOrdering(search.orderBy);
  const experiments = idsCondition(sql`c.experiment_id`, search.experimentIds, 'experiment_ids');
  if (!experiments) return null;
  return {
    id: sql`c.id`,
    from: sql`candidates c${sql.join([...filterJoins, ...joins], sql``)}`,
    where: [experiments, viewTypeCondition(sql`c.lifecycle_stage`, search.viewType), ...conditions],
    order: terms,
    maxResults: search.maxResults,
    pageToken: search.pageToken,
  };
}

/** Candidate ids (`candidates.id`) matching a runs/search, in order. */
export async function searchRunIds(db: Database, search: RunSearch): Promise<SearchPage<number>> {
  const query = compileRunSearch(search);
  return query ? runKeysetQuery(db, query) : { ids: [] };
}

/** How many candidates a runs/search matches in all (the candidates table's total). */
export async function countRuns(db: Database, search: Omit<RunSearch, 'pageToken' | 'maxResults'>): Promise<number> {
  const query = compileRunSearch({ ...search, orderBy: undefined, maxResults: 1 });
  return query ? countKeysetQuery(db, query) : 0;
}
