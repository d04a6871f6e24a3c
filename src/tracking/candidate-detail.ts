/**
 * The Candidate Detail read model, beyond what a Run carries: each metric's latest, min and
 * max with its last step, and the candidates related through `mlflow.parentRunId`.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidates, latestMetrics } from '../db/schema';
import { childrenOf } from './candidates';
import { decodeMetricValue } from './metric-values';

const decode = (value: number | null): number | null => (value === null ? null : decodeMetricValue(value, false));

/** A metric of a candidate at a glance. */
export type MetricSummary = {
  key: string;
  latest: number;
  /** Smallest and largest value logged, NaN points left out (null when all are NaN). */
  min: number | null;
  max: number | null;
  lastStep: number;
};

/** Every metric of a candidate: latest, min, max and last step, by key (no history is read). */
export async function metricSummaries(db: Database, candidateId: number): Promise<MetricSummary[]> {
  const rows = await db.select().from(latestMetrics).where(eq(latestMetrics.candidateId, candidateId)).orderBy(asc(latestMetrics.key));
  return rows.map((r) => ({ key: r.key, latest: decodeMetricValue(r.value, r.isNan), min: decode(r.minValue), max: decode(r.maxValue), lastStep: r.step }));
}

/** A link-sized view of a candidate. */
export type CandidateRef = { id: number; runId: string; name: string; status: string };

/** At most this many child candidates are listed. */
export const MAX_CHILDREN = 100;

/**
 * The parent (by the `mlflow.parentRunId` tag value, within the project) and the children
 * (candidates of the same experiment whose tag names this run) of a candidate.
 */
export async function relatedCandidates(
  db: Database,
  candidate: { projectId: number; experimentId: number; runId: string },
  parentRunId: string | undefined,
): Promise<{ parent: CandidateRef | null; children: CandidateRef[] }> {
  const ref = { id: candidates.id, runId: candidates.runId, name: candidates.name, status: candidates.status };
  const children = await db.all<CandidateRef>(
    sql`SELECT c.id, c.run_id AS runId, c.name, c.status FROM ${childrenOf(candidate.experimentId, sql`${candidate.runId}`)} ORDER BY c.start_time LIMIT ${MAX_CHILDREN}`,
  );
  const parent = parentRunId
    ? ((await db.select(ref).from(candidates).where(and(eq(candidates.runId, parentRunId), eq(candidates.projectId, candidate.projectId))).limit(1))[0] ?? null)
    : null;
  return { parent, children };
}
