/**
 * Which traces a request may see: those of the project whose experiment is active. The condition,
 * the lookup of one trace's row by its id, and the error for one that is not there, shared by the
 * trace, span and assessment files.
 */
import type { Database } from '../../db/client';
import { NotFoundError } from '../../errors';
import { first } from '../d1';

/** The condition that trace row `t` is in the project (bound as ?1) and its experiment active. */
export const VISIBLE_TRACE = `t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active')`;

/** The error for a trace that does not exist (or may not be seen). */
export function traceNotFound(traceId: string): NotFoundError {
  return new NotFoundError(`Trace with ID '${traceId}' not found.`);
}

/** The row id of a visible trace; NotFoundError otherwise. */
export async function traceRowId(db: Database, projectId: number, traceId: string): Promise<number> {
  const row = await first<{ id: number }>(db, `SELECT t.id FROM traces t WHERE ${VISIBLE_TRACE} AND t.trace_id = ?2`, projectId, traceId);
  if (!row) throw traceNotFound(traceId);
  return row.id;
}

