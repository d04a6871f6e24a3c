/**
 * traces/search (MLflow 3): filter on attributes, `tags.<key>`, `metadata.<key>` (also
 * `request_metadata.`), `feedback.<name>` and `expectation.<name>` (the assessment's value as
 * JSON text, e.g. `feedback.helpful = 'true'`); order on attributes and `tags.<key>`.
 *
 *   timestamp_ms / timestamp            when the trace started (ms)          numbers
 *   execution_time_ms / execution_time  how long it ran (ms)                 numbers
 *   end_time_ms / end_time              start + duration (ms)                numbers
 *   status (also state)                 OK, ERROR, IN_PROGRESS               strings
 *   trace_id / request_id, client_request_id, name (tag mlflow.traceName)   strings
 *   run_id                              the run it was logged in or linked to (=, IN)
 *
 * Default order: newest first, then trace id. Traces of deleted experiments are never found.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { InvalidInputError } from '../../errors';
import { syntaxError } from './lexer';
import { parseFilter, parseOrderClause, type Comparison, type Ident } from './parser';
import {
  compareText,
  compileExpr,
  idsCondition,
  orderClauses,
  PRESENCE_COMPARATORS,
  requireComparator,
  runKeysetQuery,
  STRING_COMPARATORS,
  stringValue,
  type OrderTerm,
  type Attribute,
  attributeTerm,
  compareAttribute,
} from './compile';
import { checkMaxResults } from '../limits';
import type { SearchPage, TraceSearch } from './types';

/** The largest traces/search page. */
export const MAX_TRACES_PAGE = 1000;

const TIMESTAMP: Attribute = { sql: sql`t.request_time`, type: 'number', nullable: false, name: 'timestamp_ms' };
const EXECUTION: Attribute = { sql: sql`t.execution_time`, type: 'number', nullable: true, name: 'execution_time_ms' };
const END: Attribute = { sql: sql`(t.request_time + t.execution_time)`, type: 'number', nullable: true, name: 'end_time_ms' };
const STATUS: Attribute = { sql: sql`t.state`, type: 'text', nullable: false, name: 'status' };
const TRACE_ID: Attribute = { sql: sql`t.trace_id`, type: 'text', nullable: false, name: 'trace_id' };
const NAME: Attribute = {
  sql: sql`(SELECT value FROM trace_tags x WHERE x.trace_id = t.id AND x.key = 'mlflow.traceName')`,
  type: 'text',
  nullable: true,
  name: 'name',
};

const ATTRIBUTES: Record<string, Attribute> = {
  timestamp_ms: TIMESTAMP,
  timestamp: TIMESTAMP,
  execution_time_ms: EXECUTION,
  execution_time: EXECUTION,
  end_time_ms: END,
  end_time: END,
  status: STATUS,
  state: STATUS,
  trace_id: TRACE_ID,
  request_id: TRACE_ID,
  client_request_id: { sql: sql`t.client_request_id`, type: 'text', nullable: true, name: 'client_request_id' },
  name: NAME,
};
const ATTRIBUTE_NAMES = [...Object.keys(ATTRIBUTES), 'run_id'].join(', ');

const ENTITIES: Record<string, 'tag' | 'metadata' | 'attribute' | 'feedback' | 'expectation'> = {
  tag: 'tag',
  tags: 'tag',
  metadata: 'metadata',
  request_metadata: 'metadata',
  attribute: 'attribute',
  attributes: 'attribute',
  trace: 'attribute',
  feedback: 'feedback',
  expectation: 'expectation',
};

function entityOf(ident: Ident, field: string) {
  const kind = ident.entity === undefined ? 'attribute' : Object.hasOwn(ENTITIES, ident.entity) ? ENTITIES[ident.entity] : undefined;
  if (!kind) throw syntaxError(field, ident.pos, `unknown entity '${ident.entity}' in ${ident.text}; use tags., metadata., feedback., expectation. or an attribute`);
  if (ident.key === '') throw syntaxError(field, ident.pos, `${ident.text} names no key`);
  return kind;
}

function attributeOf(ident: Ident, field: string): Attribute {
  const attribute = Object.hasOwn(ATTRIBUTES, ident.key) ? ATTRIBUTES[ident.key] : undefined;
  if (!attribute) throw syntaxError(field, ident.pos, `unknown attribute '${ident.key}'; use one of ${ATTRIBUTE_NAMES}`);
  return attribute;
}

function compileComparison(cmp: Comparison): SQL {
  const { ident } = cmp;
  const kind = entityOf(ident, 'filter');
  if (kind === 'attribute') {
    if (ident.key === 'run_id') {
      requireComparator(cmp, ['=', 'IN']);
      const runs = stringValue(cmp);
      const list = JSON.stringify(Array.isArray(runs) ? runs : [runs]);
      return sql`(EXISTS (SELECT 1 FROM trace_metadata x WHERE x.trace_id = t.id AND x.key = 'mlflow.sourceRun' AND x.value IN (SELECT value FROM json_each(${list})))
        OR EXISTS (SELECT 1 FROM trace_run_links x WHERE x.trace_id = t.id AND x.run_id IN (SELECT value FROM json_each(${list}))))`;
    }
    const attribute = attributeOf(ident, 'filter');
    return compareAttribute(cmp, attribute);
  }
  if (kind === 'feedback' || kind === 'expectation') {
    requireComparator(cmp, [...STRING_COMPARATORS, ...PRESENCE_COMPARATORS]);
    const exists = (condition: SQL) =>
      sql`EXISTS (SELECT 1 FROM trace_assessments x WHERE x.trace_id = t.id AND x.name = ${ident.key} AND x.valid = 1 AND json_type(x.body, ${`$.${kind}`}) IS NOT NULL${condition})`;
    if (cmp.op === 'IS NULL') return sql`NOT ${exists(sql``)}`;
    if (cmp.op === 'IS NOT NULL') return exists(sql``);
    // The value as text: true, false, 0.8, yes, or an object's JSON.
    const path = `$.${kind}.value`;
    const text = sql`(CASE json_type(x.body, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(x.body, ${path}) AS TEXT) END)`;
    return exists(sql` AND ${compareText(text, cmp.op, stringValue(cmp))}`);
  }
  const table = kind === 'tag' ? sql`trace_tags` : sql`trace_metadata`;
  const exists = (condition: SQL) => sql`EXISTS (SELECT 1 FROM ${table} x WHERE x.trace_id = t.id AND x.key = ${ident.key}${condition})`;
  if (cmp.op === 'IS NULL') return sql`NOT ${exists(sql``)}`;
  if (cmp.op === 'IS NOT NULL') return exists(sql``);
  requireComparator(cmp, [...STRING_COMPARATORS, ...PRESENCE_COMPARATORS]);
  return exists(sql` AND ${compareText(sql`x.value`, cmp.op, stringValue(cmp))}`);
}

function ordering(orderBy: string[]): OrderTerm[] {
  const terms: OrderTerm[] = [];
  orderBy.forEach((text, index) => {
    const clause = parseOrderClause(text, `order_by[${index}]`);
    const kind = entityOf(clause.ident, `order_by[${index}]`);
    let term: OrderTerm;
    if (kind === 'tag') {
      const value = sql`(SELECT value FROM trace_tags x WHERE x.trace_id = t.id AND x.key = ${clause.ident.key})`;
      term = { value, rank: sql`(CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END)`, ascending: clause.ascending, type: 'text', describe: `tag:${JSON.stringify(clause.ident.key)}` };
    } else if (kind === 'attribute') {
      const attribute = attributeOf(clause.ident, `order_by[${index}]`);
      term = attributeTerm(attribute, clause.ascending);
    } else {
      throw new InvalidInputError(`Invalid order_by[${index}]: order by an attribute (${ATTRIBUTE_NAMES}) or tags.<key>`, 'order_by');
    }
    if (terms.some((t) => t.describe === term.describe)) throw new InvalidInputError(`Invalid order_by[${index}]: '${clause.ident.text}' appears twice`, 'order_by');
    terms.push(term);
  });
  if (!terms.some((t) => t.describe === 'timestamp_ms')) terms.push({ value: TIMESTAMP.sql, ascending: false, type: 'number', describe: 'timestamp_ms' });
  if (!terms.some((t) => t.describe === 'trace_id')) terms.push({ value: TRACE_ID.sql, ascending: true, type: 'text', describe: 'trace_id' });
  return terms;
}

/** Trace row ids (`traces.id`) matching a traces/search, in order. */
export async function searchTraceRowIds(db: Database, search: TraceSearch): Promise<SearchPage<number>> {
  checkMaxResults(search.maxResults, MAX_TRACES_PAGE);
  const filter = parseFilter(search.filter);
  const condition = filter ? compileExpr(filter, compileComparison) : undefined;
  const order = ordering(orderClauses(search.orderBy));
  const experiments = idsCondition(sql`t.experiment_id`, search.experimentIds, 'locations');
  if (!experiments) return { ids: [] };
  return runKeysetQuery(db, {
    id: sql`t.id`,
    from: sql`traces t`,
    where: [experiments, sql`EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active')`, condition],
    order,
    maxResults: search.maxResults,
    pageToken: search.pageToken,
  });
}
