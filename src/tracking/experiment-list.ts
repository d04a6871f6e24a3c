/**
 * The List of Experiments read model: a project's active experiments with their number of
 * candidates, creator and last activity (`experiments.updated_at`, moved by every run change),
 * newest activity first, a page at a time with a keyset cursor on (updated_at, id).
 */
import { and, desc, eq, or, sql, lt } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidates, experiments, users } from '../db/schema';
import { InvalidInputError } from '../errors';

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

/** A page of experiments and the cursor of the next page, when there is one. */
export type ExperimentListPage = { items: ExperimentListItem[]; next?: string };

function parseCursor(cursor: string): [number, number] {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  if (!m) throw new InvalidInputError('the page cursor is not valid; start from the first page', 'after');
  return [Number(m[1]), Number(m[2])];
}

/** One page (`limit` rows, after `after`) of the project's active experiments, newest activity first. */
export async function listExperimentsPage(db: Database, projectId: number, opts: { limit: number; after?: string }): Promise<ExperimentListPage> {
  const base = and(eq(experiments.projectId, projectId), eq(experiments.lifecycleStage, 'active'));
  let where = base;
  if (opts.after) {
    const [updatedAt, id] = parseCursor(opts.after);
    where = and(base, or(lt(experiments.updatedAt, updatedAt), and(eq(experiments.updatedAt, updatedAt), lt(experiments.id, id))));
  }
  const rows = await db
    .select({
      id: experiments.id,
      iid: experiments.iid,
      name: experiments.name,
      creator: users.username,
      lastActivity: experiments.updatedAt,
      createdAt: experiments.createdAt,
      candidateCount: sql<number>`(SELECT count(*) FROM ${candidates} WHERE ${candidates.experimentId} = ${experiments.id} AND ${candidates.lifecycleStage} = 'active')`,
    })
    .from(experiments)
    .leftJoin(users, eq(users.id, experiments.userId))
    .where(where)
    .orderBy(desc(experiments.updatedAt), desc(experiments.id))
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > opts.limit && last ? `${last.lastActivity}.${last.id}` : undefined };
}
