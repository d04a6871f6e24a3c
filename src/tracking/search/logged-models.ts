/**
 * logged-models/search (MLflow 3): filter on attributes (name, model_id, model_type, status,
 * source_run_id, creation/last-update times), metrics, params and tags; order_by objects
 * `{field_name, ascending, dataset_name, dataset_digest}` on an attribute or `metrics.<key>`
 * (its latest point, optionally on one dataset). Deleted models are never found.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { InvalidInputError } from '../../errors';
import { syntaxError } from './lexer';
import { parseFilter, type Comparison } from './parser';
import {
  compareNumber,
  compareText,
  compileExpr,
  idsCondition,
  numberValue,
  NUMBER_COMPARATORS,
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
import type { LoggedModelSearch, SearchPage } from './types';

/** The largest logged-models/search page. */
export const MAX_LOGGED_MODELS_PAGE = 50_000;

const CREATED: Attribute = { sql: sql`lm.created_at`, type: 'number', nullable: false, name: 'creation_timestamp' };
const UPDATED: Attribute = { sql: sql`lm.updated_at`, type: 'number', nullable: false, name: 'last_updated_timestamp' };
const ATTRIBUTES: Record<string, Attribute> = {
  name: { sql: sql`lm.name`, type: 'text', nullable: false, name: 'name' },
  model_id: { sql: sql`lm.id`, type: 'text', nullable: false, name: 'model_id' },
  model_type: { sql: sql`lm.model_type`, type: 'text', nullable: true, name: 'model_type' },
  status: { sql: sql`lm.status`, type: 'text', nullable: false, name: 'status' },
  source_run_id: { sql: sql`lm.source_run_id`, type: 'text', nullable: true, name: 'source_run_id' },
  creation_timestamp: CREATED,
  creation_time: CREATED,
  last_updated_timestamp: UPDATED,
  last_updated_time: UPDATED,
};
const ATTRIBUTE_NAMES = Object.keys(ATTRIBUTES).join(', ');

const ENTITIES: Record<string, 'metric' | 'param' | 'tag' | 'attribute'> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
};

function compileComparison(cmp: Comparison): SQL {
  const { ident } = cmp;
  const kind = ident.entity === undefined ? 'attribute' : ENTITIES[ident.entity];
  if (!kind) throw syntaxError('filter', ident.pos, `unknown entity '${ident.entity}' in ${ident.text}; use metrics., params., tags. or an attribute`);
  if (ident.key === '') throw syntaxError('filter', ident.pos, `${ident.text} names no key`);
  if (kind === 'attribute') {
    const attribute = Object.hasOwn(ATTRIBUTES, ident.key) ? ATTRIBUTES[ident.key] : undefined;
    if (!attribute) throw syntaxError('filter', ident.pos, `unknown attribute '${ident.key}'; use one of ${ATTRIBUTE_NAMES}`);
    return compareAttribute(cmp, attribute);
  }
  const table = { metric: sql`logged_model_metrics`, param: sql`logged_model_params`, tag: sql`logged_model_tags` }[kind];
  const exists = (condition: SQL) => sql`EXISTS (SELECT 1 FROM ${table} x WHERE x.model_seq = lm.seq AND x.key = ${ident.key}${condition})`;
  if (cmp.op === 'IS NULL') return sql`NOT ${exists(sql``)}`;
  if (cmp.op === 'IS NOT NULL') return exists(sql``);
  if (kind === 'metric') {
    requireComparator(cmp, [...NUMBER_COMPARATORS, ...PRESENCE_COMPARATORS]);
    const value = numberValue(cmp);
    return cmp.op === '!='
      ? exists(sql` AND (x.is_nan = 1 OR x.value != ${value})`)
      : exists(sql` AND x.is_nan = 0 AND ${compareNumber(sql`x.value`, cmp.op, value)}`);
  }
  requireComparator(cmp, [...STRING_COMPARATORS, ...PRESENCE_COMPARATORS]);
  return exists(sql` AND ${compareText(sql`x.value`, cmp.op, stringValue(cmp))}`);
}

type OrderBy = NonNullable<LoggedModelSearch['orderBy']>[number];

function ordering(orderBy: OrderBy[] | undefined): { terms: OrderTerm[]; joins: SQL[] } {
  const terms: OrderTerm[] = [];
  const joins: SQL[] = [];
  if (orderBy != null && !Array.isArray(orderBy)) throw new InvalidInputError('Invalid order_by: it must be a list of objects with a field_name', 'order_by');
  (orderBy ?? []).forEach((clause, index) => {
    const field = `order_by[${index}]`;
    const bad = (message: string) => new InvalidInputError(`Invalid ${field}: ${message}`, 'order_by');
    if (typeof clause !== 'object' || clause === null) throw bad('each order_by is an object with a field_name');
    const { field_name: name, ascending = true, dataset_name: datasetName, dataset_digest: datasetDigest } = clause;
    if (typeof name !== 'string' || name.trim() === '') throw bad('field_name is required');
    if (typeof ascending !== 'boolean') throw bad('ascending must be true or false');
    if (datasetName !== undefined && typeof datasetName !== 'string') throw bad('dataset_name must be a string');
    if (datasetDigest !== undefined && (typeof datasetDigest !== 'string' || !datasetName)) throw bad('dataset_digest needs a dataset_name');
    const fieldName = name.trim();
    let term: OrderTerm;
    if (fieldName.includes('.')) {
      const [entity, key] = [fieldName.slice(0, fieldName.indexOf('.')), fieldName.slice(fieldName.indexOf('.') + 1)];
      if (entity !== 'metrics' || key === '') throw bad(`cannot order by '${fieldName}'; use an attribute (${ATTRIBUTE_NAMES}) or metrics.<key>`);
      const alias = sql.raw(`o${index}`);
      const dataset = [
        ...(datasetName ? [sql` AND dataset_name = ${datasetName}`] : []),
        ...(datasetDigest ? [sql` AND dataset_digest = ${datasetDigest}`] : []),
      ];
      joins.push(
        sql` LEFT JOIN (SELECT model_seq, value, is_nan FROM (SELECT model_seq, value, is_nan, ROW_NUMBER() OVER (PARTITION BY model_seq ORDER BY timestamp DESC, step DESC) AS n FROM logged_model_metrics WHERE key = ${key}${sql.join(dataset, sql``)}) WHERE n = 1) ${alias} ON ${alias}.model_seq = lm.seq`,
      );
      term = {
        value: sql`${alias}.value`,
        rank: sql`(CASE WHEN ${alias}.model_seq IS NULL THEN 2 WHEN ${alias}.is_nan = 1 THEN 1 ELSE 0 END)`,
        ascending,
        type: 'number',
        describe: `metric:${JSON.stringify([key, datasetName ?? null, datasetDigest ?? null])}`,
      };
    } else {
      const attribute = Object.hasOwn(ATTRIBUTES, fieldName) ? ATTRIBUTES[fieldName] : undefined;
      if (!attribute) throw bad(`cannot order by '${fieldName}'; use an attribute (${ATTRIBUTE_NAMES}) or metrics.<key>`);
      term = attributeTerm(attribute, ascending);
    }
    if (terms.some((t) => t.describe === term.describe)) throw bad(`'${fieldName}' appears twice`);
    terms.push(term);
  });
  if (!terms.some((t) => t.describe === 'creation_timestamp')) terms.push({ value: CREATED.sql, ascending: false, type: 'number', describe: 'creation_timestamp' });
  if (!terms.some((t) => t.describe === 'model_id')) terms.push({ value: ATTRIBUTES.model_id.sql, ascending: true, type: 'text', describe: 'model_id' });
  return { terms, joins };
}

/** Logged model seqs (`logged_models.seq`) matching a logged-models/search, in order. */
export async function searchLoggedModelSeqs(db: Database, search: LoggedModelSearch): Promise<SearchPage<number>> {
  checkMaxResults(search.maxResults, MAX_LOGGED_MODELS_PAGE);
  const filter = parseFilter(search.filter);
  const condition = filter ? compileExpr(filter, compileComparison) : undefined;
  const { terms, joins } = ordering(search.orderBy);
  const experiments = idsCondition(sql`lm.experiment_id`, search.experimentIds, 'experiment_ids');
  if (!experiments) return { ids: [] };
  return runKeysetQuery(db, {
    id: sql`lm.seq`,
    from: sql`logged_models lm${sql.join(joins, sql``)}`,
    where: [experiments, sql`lm.lifecycle_stage = 'active'`, condition],
    order: terms,
    maxResults: search.maxResults,
    pageToken: search.pageToken,
  });
}
