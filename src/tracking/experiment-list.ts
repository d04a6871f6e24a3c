/**
 * The List of Experiments read model: experiments with their number of candidates, creator and
 * last activity (`experiments.updated_at`, moved by every run change), for the ids the
 * experiments search returned (the page's order, filter and paging are the search's).
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidates, experiments, users } from '../db/schema';

/** One row of the list. */
export type ExperimentListItem = {
  id: number;
  /** The MLflow experiment id within the project. */
  iid: number;
  name: string;
  candidateCount: number;
  /** The creator's username; null when unknown or deleted. */
  creator: string | null;
  lastActivity: number;
  createdAt: number;
};

/**
 * The list rows of the given experiments (any lifecycle stage), in the order given: what the
 * List of Experiments shows for the ids a search returned.
 */
export async function loadExperimentListItems(db: Database, ids: number[]): Promise<ExperimentListItem[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({
      id: experiments.id,
      iid: experiments.iid,
      name: experiments.name,
      creator: users.username,
      lastActivity: experiments.updatedAt,
      createdAt: experiments.createdAt,
      candidateCount: sql<number>`(SELECT count(*) FROM ${candidates} WHERE ${candidates.experimentId} = ${experiments.id} AND ${candidates.lifecycleStage} = ${experiments.lifecycleStage})`,
    })
    .from(experiments)
    .leftJoin(users, eq(users.id, experiments.userId))
    .where(sql`${experiments.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
