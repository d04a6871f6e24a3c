/**
 * The Experiment Candidates read model: the experiment's header, the param and metric keys
 * that make the table's columns, and the table rows (attributes, params, latest metrics) for
 * the candidate ids a search returned — lean enough to stream every candidate as CSV.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidateParams, candidates, experiments, latestMetrics } from '../db/schema';
import { NOTE_TAG } from './candidates';
import { NotFoundError } from '../errors';
import { decodeMetricValue } from './metric-values';


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
 * The param and metric keys logged by the experiment's active candidates, sorted. With
 * `recent`, only the newest `recent` candidates are looked at (a page view stays fast with tens
 * of thousands of candidates, which in practice log the same keys); without it, all of them
 * (the CSV).
 */
export async function experimentColumnKeys(db: Database, experimentId: number, opts: { recent?: number } = {}): Promise<{ params: string[]; metrics: string[] }> {
  const limit = opts.recent === undefined ? sql`` : sql` ORDER BY ${candidates.startTime} DESC LIMIT ${opts.recent}`;
  const inExperiment = sql`SELECT ${candidates.id} FROM ${candidates} WHERE ${candidates.experimentId} = ${experimentId} AND ${candidates.lifecycleStage} = 'active'${limit}`;
  const [params, metrics] = await db.batch([
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
  ]);
  return { params: params.map((r) => r.key), metrics: metrics.map((r) => r.key) };
}

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
};

/** The rows of the given candidates, in the order given (ids not found are skipped). */
export async function loadCandidateRows(db: Database, ids: number[]): Promise<CandidateRow[]> {
  if (ids.length === 0) return [];
  const list = JSON.stringify(ids);
  const inList = sql`(SELECT value FROM json_each(${list}))`;
  const [infos, params, metrics] = await db.batch([
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
  ]);
  const rows = new Map<number, CandidateRow>(infos.map((r) => [r.id, { ...r, params: new Map(), metrics: new Map() }]));
  for (const p of params) rows.get(p.candidateId)?.params.set(p.key, p.value);
  for (const m of metrics) rows.get(m.candidateId)?.metrics.set(m.key, decodeMetricValue(m.value, m.isNan));
  return ids.flatMap((id) => rows.get(id) ?? []);
}
