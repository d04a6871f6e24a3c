/**
 * experiments/search within a project: filter on name, creation_time, last_update_time and tags;
 * order_by name, experiment_id (the project's number), creation_time, last_update_time.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { syntaxError } from './lexer';
import { parseFilter, parseOrderClause, type Comparison, type Ident } from './parser';
import {
  compareNumber,
  compareText,
  compileExpr,
  numberValue,
  orderClauses,
  NUMBER_COMPARATORS,
  PRESENCE_COMPARATORS,
  requireComparator,
  runKeysetQuery,
  STRING_COMPARATORS,
  stringValue,
  viewTypeCondition,
  type OrderTerm,
} from './compile';
import { checkMaxResults } from '../limits';
import type { ExperimentSearch, SearchPage } from './types';

/** MLflow's largest experiments/search page. */
export const MAX_EXPERIMENTS_PAGE = 50_000;

type ExperimentAttribute = 'name' | 'creation_time' | 'last_update_time' | 'experiment_id';

const COLUMNS: Record<ExperimentAttribute, SQL> = {
  name: sql`e.name`,
  creation_time: sql`e.created_at`,
  last_update_time: sql`e.updated_at`,
  experiment_id: sql`e.iid`,
};

function resolve(ident: Ident, field: string, attributes: ExperimentAttribute[]): { kind: 'attribute'; name: ExperimentAttribute } | { kind: 'tag'; key: string } {
  const entity = ident.entity;
  if (entity === 'tag' || entity === 'tags') {
    if (ident.key === '') throw syntaxError(field, ident.pos, `${ident.text} names no key`);
    return { kind: 'tag', key: ident.key };
  }
  if (entity !== undefined && entity !== 'attribute' && entity !== 'attributes') {
    throw syntaxError(field, ident.pos, `unknown entity '${entity}' in ${ident.text}; use tags.<key> or an attribute (${attributes.join(', ')})`);
  }
  const name = attributes.find((a) => a === ident.key);
  if (!name) throw syntaxError(field, ident.pos, `unknown attribute '${ident.key}'; use one of ${attributes.join(', ')}`);
  return { kind: 'attribute', name };
}

function compileComparison(cmp: Comparison): SQL {
  const target = resolve(cmp.ident, 'filter', ['name', 'creation_time', 'last_update_time']);
  if (target.kind === 'tag') {
    const exists = (condition: SQL) => sql`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.id AND t.key = ${target.key}${condition})`;
    if (cmp.op === 'IS NULL') return sql`NOT ${exists(sql``)}`;
    if (cmp.op === 'IS NOT NULL') return exists(sql``);
    requireComparator(cmp, [...STRING_COMPARATORS, ...PRESENCE_COMPARATORS]);
    return exists(sql` AND ${compareText(sql`t.value`, cmp.op, stringValue(cmp))}`);
  }
  const column = COLUMNS[target.name];
  if (target.name === 'name') {
    requireComparator(cmp, STRING_COMPARATORS);
    return compareText(column, cmp.op, stringValue(cmp));
  }
  requireComparator(cmp, NUMBER_COMPARATORS);
  return compareNumber(column, cmp.op, numberValue(cmp));
}

function ordering(orderBy: string[] | undefined): OrderTerm[] {
  const given = orderClauses(orderBy);
  const clauses = given.length ? given : ['creation_time DESC', 'experiment_id ASC'];
  const terms: OrderTerm[] = [];
  clauses.forEach((clause, index) => {
    const field = `order_by[${index}]`;
    const { ident, ascending } = parseOrderClause(clause, field);
    const target = resolve(ident, field, ['name', 'experiment_id', 'creation_time', 'last_update_time']);
    if (target.kind === 'tag') throw syntaxError(field, ident.pos, 'experiments cannot be ordered by a tag');
    const describe = `attribute:${target.name}`;
    if (terms.some((t) => t.describe === describe)) throw syntaxError(field, ident.pos, `${ident.text} appears twice in order_by`);
    terms.push({ value: COLUMNS[target.name], ascending, type: target.name === 'name' ? 'text' : 'number', describe });
  });
  if (!terms.some((t) => t.describe === 'attribute:experiment_id')) terms.push({ value: COLUMNS.experiment_id, ascending: false, type: 'number', describe: 'attribute:experiment_id' });
  return terms;
}

/** Experiment ids (`experiments.id`) matching an experiments/search, in order. */
export async function searchExperimentIds(db: Database, search: ExperimentSearch): Promise<SearchPage<number>> {
  checkMaxResults(search.maxResults, MAX_EXPERIMENTS_PAGE);
  const filter = parseFilter(search.filter);
  return runKeysetQuery(db, {
    id: sql`e.id`,
    from: sql`experiments e`,
    where: [sql`e.project_id = ${search.projectId}`, viewTypeCondition(sql`e.lifecycle_stage`, search.viewType), filter ? compileExpr(filter, compileComparison) : undefined],
    order: ordering(search.orderBy),
    maxResults: search.maxResults,
    pageToken: search.pageToken,
  });
}
