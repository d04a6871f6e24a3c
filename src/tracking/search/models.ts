/**
 * registered-models/search and model-versions/search within a project. As in MLflow, `tags.k !=
 * 'v'` (and NOT IN) also matches a model without the tag: the client appends
 * "tag.`mlflow.prompt.is_prompt` != 'true'" to hide prompts, and plain models have no such tag.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { syntaxError } from './lexer';
import { parseFilter, parseOrderClause, type Comparison, type Ident } from './parser';
import {
  compareNumber,
  compareText,
  compileExpr,
  orderClauses,
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
import type { ModelSearch, SearchPage } from './types';

/** MLflow's largest registered-models/search page. */
export const MAX_REGISTERED_MODELS_PAGE = 1_000;
/** MLflow's largest model-versions/search page. */
export const MAX_MODEL_VERSIONS_PAGE = 200_000;

/** Resolves `tags.<key>` / `tag.<key>` or one of `attributes` (bare or after `attribute.`). */
function resolve(ident: Ident, field: string, attributes: Record<string, Attribute>): { kind: 'tag'; key: string } | { kind: 'attribute'; column: Attribute } {
  const entity = ident.entity;
  if (entity === 'tag' || entity === 'tags') {
    if (ident.key === '') throw syntaxError(field, ident.pos, `${ident.text} names no key`);
    return { kind: 'tag', key: ident.key };
  }
  const names = Object.keys(attributes).join(', ');
  if (entity !== undefined && entity !== 'attribute' && entity !== 'attributes') {
    throw syntaxError(field, ident.pos, `unknown entity '${entity}' in ${ident.text}; use tags.<key> or an attribute (${names})`);
  }
  const column = Object.hasOwn(attributes, ident.key) ? attributes[ident.key] : undefined;
  if (!column) throw syntaxError(field, ident.pos, `unknown attribute '${ident.key}'; use one of ${names}`);
  return { kind: 'attribute', column };
}

/** A tag comparison; `!=` and NOT IN hold for a row without the tag. */
function tagCondition(cmp: Comparison, key: string, table: SQL, owner: SQL, id: SQL): SQL {
  const exists = (condition: SQL) => sql`EXISTS (SELECT 1 FROM ${table} t WHERE t.${owner} = ${id} AND t.key = ${key}${condition})`;
  if (cmp.op === 'IS NULL') return sql`NOT ${exists(sql``)}`;
  if (cmp.op === 'IS NOT NULL') return exists(sql``);
  requireComparator(cmp, [...STRING_COMPARATORS, ...PRESENCE_COMPARATORS]);
  const value = stringValue(cmp);
  if (cmp.op === '!=') return sql`NOT ${exists(sql` AND ${compareText(sql`t.value`, '=', value)}`)}`;
  if (cmp.op === 'NOT IN') return sql`NOT ${exists(sql` AND ${compareText(sql`t.value`, 'IN', value)}`)}`;
  return exists(sql` AND ${compareText(sql`t.value`, cmp.op, value)}`);
}

/** A version number written as a number or a quoted number (`version = '2'`), singly or in a list. */
function versionCondition(cmp: Comparison, column: Attribute): SQL {
  requireComparator(cmp, [...NUMBER_COMPARATORS, 'IN', 'NOT IN']);
  const value = cmp.value!;
  const items = value.kind === 'list' ? value.items : [value];
  const numbers = items.map((item) => {
    const number = item.kind === 'number' ? item.value : /^\s*\d+\s*$/.test(item.value) ? Number(item.value) : NaN;
    if (!Number.isInteger(number)) throw syntaxError('filter', item.pos, `${cmp.ident.text} compares with a version number, found ${item.text}`);
    return number;
  });
  if (cmp.op === 'IN' || cmp.op === 'NOT IN') return sql`${column.sql} ${sql.raw(cmp.op)} (SELECT value FROM json_each(${JSON.stringify(numbers)}))`;
  return compareNumber(column.sql, cmp.op, numbers[0]);
}

function attributeCondition(cmp: Comparison, column: Attribute): SQL {
  return column.name === 'version_number' ? versionCondition(cmp, column) : compareAttribute(cmp, column);
}

/** Parses order_by clauses into terms over `attributes`, refusing repeats. */
function orderTerms(orderBy: string[] | undefined, attributes: Record<string, Attribute>): OrderTerm[] {
  const terms: OrderTerm[] = [];
  orderClauses(orderBy).forEach((clause, index) => {
    const field = `order_by[${index}]`;
    const { ident, ascending } = parseOrderClause(clause, field);
    const target = resolve(ident, field, attributes);
    if (target.kind === 'tag') throw syntaxError(field, ident.pos, 'models cannot be ordered by a tag');
    const describe = target.column.name;
    if (terms.some((t) => t.describe === describe)) throw syntaxError(field, ident.pos, `${ident.text} appears twice in order_by`);
    terms.push(attributeTerm(target.column, ascending));
  });
  return terms;
}

const MODEL_FILTER: Record<string, Attribute> = { name: { sql: sql`r.name`, type: 'text', name: 'name' } };
const MODEL_ORDER: Record<string, Attribute> = {
  name: MODEL_FILTER.name,
  last_updated_timestamp: { sql: sql`r.updated_at`, type: 'number', name: 'last_updated_timestamp' },
  timestamp: { sql: sql`r.updated_at`, type: 'number', name: 'last_updated_timestamp' },
  creation_timestamp: { sql: sql`r.created_at`, type: 'number', name: 'creation_timestamp' },
};

const VERSION_NUMBER: Attribute = { sql: sql`v.version`, type: 'number', name: 'version_number' };
const SOURCE: Attribute = { sql: sql`v.source`, type: 'text', name: 'source' };
const VERSION_FILTER: Record<string, Attribute> = {
  name: MODEL_FILTER.name,
  version: VERSION_NUMBER,
  version_number: VERSION_NUMBER,
  run_id: { sql: sql`(SELECT run_id FROM candidates WHERE id = v.candidate_id)`, type: 'text', name: 'run_id' },
  source_path: SOURCE,
  source: SOURCE,
};
const VERSION_ORDER: Record<string, Attribute> = {
  name: MODEL_FILTER.name,
  version: VERSION_NUMBER,
  version_number: VERSION_NUMBER,
  creation_timestamp: { sql: sql`v.created_at`, type: 'number', name: 'creation_timestamp' },
  last_updated_timestamp: { sql: sql`v.updated_at`, type: 'number', name: 'last_updated_timestamp' },
};

/** What a search runs over: its attributes, its tags, its rows, its largest page, the order that breaks ties. */
type Searched = { filter: Record<string, Attribute>; order: Record<string, Attribute>; tags: SQL; owner: SQL; id: SQL; from: SQL; max: number; tiebreak: OrderTerm[] };

/** Ids (of `searched.id`) matching a search of the project's models or versions, one keyset page. */
async function searchIds(db: Database, search: ModelSearch, searched: Searched): Promise<SearchPage<number>> {
  checkMaxResults(search.maxResults, searched.max);
  const filter = parseFilter(search.filter);
  const condition = filter
    ? compileExpr(filter, (cmp) => {
        const target = resolve(cmp.ident, 'filter', searched.filter);
        return target.kind === 'tag' ? tagCondition(cmp, target.key, searched.tags, searched.owner, searched.id) : attributeCondition(cmp, target.column);
      })
    : undefined;
  const order = orderTerms(search.orderBy, searched.order);
  for (const term of searched.tiebreak) if (!order.some((t) => t.describe === term.describe)) order.push(term);
  return runKeysetQuery(db, {
    id: searched.id,
    from: searched.from,
    where: [sql`r.project_id = ${search.projectId}`, condition],
    order,
    maxResults: search.maxResults,
    pageToken: search.pageToken,
  });
}

const BY_NAME: OrderTerm = { value: sql`r.name`, ascending: true, type: 'text', describe: 'name' };

/** Registered model ids (`registered_models.id`) matching a registered-models/search. */
export const searchRegisteredModelIds = (db: Database, search: ModelSearch) =>
  searchIds(db, search, {
    filter: MODEL_FILTER,
    order: MODEL_ORDER,
    tags: sql`registered_model_tags`,
    owner: sql`registered_model_id`,
    id: sql`r.id`,
    from: sql`registered_models r`,
    max: MAX_REGISTERED_MODELS_PAGE,
    tiebreak: [BY_NAME],
  });

/** Model version ids (`model_versions.id`) matching a model-versions/search: by name, then newest version, unless ordered otherwise. */
export const searchModelVersionIds = (db: Database, search: ModelSearch) =>
  searchIds(db, search, {
    filter: VERSION_FILTER,
    order: VERSION_ORDER,
    tags: sql`model_version_tags`,
    owner: sql`model_version_id`,
    id: sql`v.id`,
    from: sql`model_versions v JOIN registered_models r ON r.id = v.registered_model_id`,
    max: MAX_MODEL_VERSIONS_PAGE,
    tiebreak: [BY_NAME, { value: sql`v.version`, ascending: false, type: 'number', describe: 'version_number' }],
  });
