/**
 * The Experiment Candidates read model: the experiment's header, the param and metric keys
 * that make the table's columns, and the table rows (attributes, params, latest metrics) for
 * the candidate ids a search returned — lean enough to stream every candidate as CSV.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidateParams, candidateTags, candidates, experiments, latestMetrics } from '../db/schema';
import { childrenOf, NOTE_TAG, PARENT_RUN_TAG } from './candidates';
import { NotFoundError } from '../errors';
import { decodeMetricValue } from './metric-values';
import { countRuns, searchRunIds, type RunSearch } from './search';


/** What the candidates page shows of its experiment, its description (`NOTE_TAG`) included. */
export type ExperimentHeader = { id: number; iid: number; name: string; createdAt: number; updatedAt: number; note: string | null };

/** The active experiment with MLflow id `iid` in the project, or NotFoundError. */
export async function getExperimentHeader(db: Database, projectId: number, iid: number): Promise<ExperimentHeader> {
  const [row] = await db
    .select({
      id: experiments.id,
      iid: experiments.iid,
      name: experiments.name,
      createdAt: experiments.createdAt,
      updatedAt: experiments.updatedAt,
      note: sql<string | null>`(SELECT t.value FROM experiment_tags t WHERE t.experiment_id = experiments.id AND t.key = ${NOTE_TAG})`,
    })
    .from(experiments)
    .where(and(eq(experiments.projectId, projectId), eq(experiments.iid, iid), eq(experiments.lifecycleStage, 'active')))
    .limit(1);
  if (!row) throw new NotFoundError(`Experiment ${iid} not found`);
  return row;
}

/** At most this many param and metric columns each (the CSV and the sort menu name them all up to it). */
export const MAX_COLUMN_KEYS = 500;

/**
 * The param, metric and tag keys logged by the experiment's active candidates, sorted (tags
 * without MLflow's own `mlflow.*`). With `recent`, only the newest `recent` candidates are looked
 * at (a page view stays fast with tens of thousands of candidates, which in practice log the same
 * keys); without it, all of them (the CSV).
 */
export async function experimentColumnKeys(db: Database, experimentId: number, opts: { recent?: number } = {}): Promise<ColumnKeys> {
  const limit = opts.recent === undefined ? sql`` : sql` ORDER BY ${candidates.startTime} DESC LIMIT ${opts.recent}`;
  const inExperiment = sql`SELECT ${candidates.id} FROM ${candidates} WHERE ${candidates.experimentId} = ${experimentId} AND ${candidates.lifecycleStage} = 'active'${limit}`;
  const [params, metrics, tags] = await db.batch([
    db
      .selectDistinct({ key: candidateParams.key })
      .from(candidateParams)
      .where(sql`${candidateParams.candidateId} IN (${inExperiment})`)
      .orderBy(candidateParams.key)
      .limit(MAX_COLUMN_KEYS),
    db
      .selectDistinct({ key: latestMetrics.key })
      .from(latestMetrics)
      .where(sql`${latestMetrics.candidateId} IN (${inExperiment})`)
      .orderBy(latestMetrics.key)
      .limit(MAX_COLUMN_KEYS),
    db
      .selectDistinct({ key: candidateTags.key })
      .from(candidateTags)
      .where(sql`${candidateTags.candidateId} IN (${inExperiment}) AND ${candidateTags.key} NOT LIKE 'mlflow.%'`)
      .orderBy(candidateTags.key)
      .limit(MAX_COLUMN_KEYS),
  ]);
  return { params: params.map((r) => r.key), metrics: metrics.map((r) => r.key), tags: tags.map((r) => r.key) };
}

/** The keys an experiment's candidates table can show as columns. */
export type ColumnKeys = { params: string[]; metrics: string[]; tags: string[] };

/** One row of the candidates table. */
export type CandidateRow = {
  id: number;
  runId: string;
  name: string;
  status: string;
  /** The user name the MLflow client reported. */
  user: string;
  startTime: number;
  endTime: number | null;
  params: Map<string, string>;
  /** Latest value of each metric (NaN and ±Infinity restored). */
  metrics: Map<string, number>;
  tags: Map<string, string>;
  /** The run id of its parent run (MLflow's nested runs), if any. */
  parentRunId?: string;
};

/** The rows of the given candidates, in the order given (ids not found are skipped). */
export async function loadCandidateRows(db: Database, ids: number[]): Promise<CandidateRow[]> {
  if (ids.length === 0) return [];
  const list = JSON.stringify(ids);
  const inList = sql`(SELECT value FROM json_each(${list}))`;
  const [infos, params, metrics, tags] = await db.batch([
    db
      .select({
        id: candidates.id,
        runId: candidates.runId,
        name: candidates.name,
        status: candidates.status,
        user: candidates.mlflowUser,
        startTime: candidates.startTime,
        endTime: candidates.endTime,
      })
      .from(candidates)
      .where(sql`${candidates.id} IN ${inList}`),
    db.select().from(candidateParams).where(sql`${candidateParams.candidateId} IN ${inList}`),
    db
      .select({ candidateId: latestMetrics.candidateId, key: latestMetrics.key, value: latestMetrics.value, isNan: latestMetrics.isNan })
      .from(latestMetrics)
      .where(sql`${latestMetrics.candidateId} IN ${inList}`),
    db.select().from(candidateTags).where(sql`${candidateTags.candidateId} IN ${inList}`),
  ]);
  const rows = new Map<number, CandidateRow>(infos.map((r) => [r.id, { ...r, params: new Map(), metrics: new Map(), tags: new Map() }]));
  for (const p of params) rows.get(p.candidateId)?.params.set(p.key, p.value);
  for (const m of metrics) rows.get(m.candidateId)?.metrics.set(m.key, decodeMetricValue(m.value, m.isNan));
  for (const t of tags) {
    const row = rows.get(t.candidateId);
    if (!row) continue;
    if (t.key === PARENT_RUN_TAG) row.parentRunId = t.value;
    else row.tags.set(t.key, t.value);
  }
  return ids.flatMap((id) => rows.get(id) ?? []);
}

/** At most this many children are shown under the parents of one page. */
export const MAX_CHILDREN = 500;

/**
 * The active children (MLflow's nested runs) of the given candidates, oldest first: the ids of
 * the candidates whose parent is one of them.
 */
export async function childCandidateIds(db: Database, experimentId: number, parentIds: number[]): Promise<number[]> {
  if (parentIds.length === 0) return [];
  const rows = await db.all<{ id: number }>(childrenQuery(experimentId, parentIds));
  return rows.map((r) => r.id);
}

/** The query of `childCandidateIds` (its plan is tested). */
export function childrenQuery(experimentId: number, parentIds: number[]) {
  const parents = sql`SELECT run_id FROM candidates WHERE id IN (SELECT value FROM json_each(${JSON.stringify(parentIds)}))`;
  return sql`SELECT c.id FROM ${childrenOf(experimentId, parents)} ORDER BY c.start_time, c.id LIMIT ${MAX_CHILDREN}`;
}

/** A page of the candidates table: its rows in order, each parent's children (MLflow's nested runs) by its run id, the neighbours' page tokens and how many candidates match. */
export type CandidatePage = { rows: CandidateRow[]; children: Map<string, CandidateRow[]>; next?: string; previous?: string; total: number };

/**
 * One page of `search` (over one experiment) with the total it matches and, `withChildren`, the
 * active children of the page's parents: a child follows its parent, and one whose parent is on
 * the page is not listed again on its own.
 */
export async function loadCandidatePage(db: Database, experimentId: number, search: RunSearch, withChildren: boolean): Promise<CandidatePage> {
  const [result, total] = await Promise.all([searchRunIds(db, search), countRuns(db, search)]);
  const [found, childIds] = await Promise.all([loadCandidateRows(db, result.ids), withChildren ? childCandidateIds(db, experimentId, result.ids) : []]);
  const onPage = new Map(found.map((r) => [r.id, r]));
  const loaded = await loadCandidateRows(db, childIds.filter((id) => !onPage.has(id)));
  const byId = new Map([...found, ...loaded].map((r) => [r.id, r]));
  const parents = new Set(found.map((r) => r.runId));
  const children = new Map<string, CandidateRow[]>();
  for (const id of childIds) {
    const child = byId.get(id)!;
    if (child.parentRunId && parents.has(child.parentRunId)) children.set(child.parentRunId, [...(children.get(child.parentRunId) ?? []), child]);
  }
  const shownUnder = new Set([...children.values()].flat().map((r) => r.id));
  return { rows: found.filter((r) => !shownUnder.has(r.id)), children, next: result.nextPageToken, previous: result.previousPageToken, total };
}
