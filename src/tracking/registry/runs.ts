/**
 * The registry's view of candidates (runs) and logged models: found by their MLflow ids within
 * one project only, so another project's run reads as missing.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { candidates, loggedModels } from '../../db/schema';
import { NotFoundError } from '../../errors';

/** The parts of a candidate the registry links to. */
export type CandidateRef = { id: number; runId: string; projectId: number };

/** The candidate with MLflow run id `runId` in the project, or RESOURCE_DOES_NOT_EXIST. */
export async function candidateByRunId(db: Database, projectId: number, runId: string): Promise<CandidateRef> {
  const [row] = await db
    .select({ id: candidates.id, runId: candidates.runId, projectId: candidates.projectId })
    .from(candidates)
    .where(and(eq(candidates.runId, runId), eq(candidates.projectId, projectId)))
    .limit(1);
  if (!row) throw new NotFoundError(`Run with id=${runId} not found`);
  return row;
}

/** The candidate with internal id `id` in the project, or RESOURCE_DOES_NOT_EXIST. */
export async function candidateById(db: Database, projectId: number, id: number): Promise<CandidateRef> {
  const [row] = await db
    .select({ id: candidates.id, runId: candidates.runId, projectId: candidates.projectId })
    .from(candidates)
    .where(and(eq(candidates.id, id), eq(candidates.projectId, projectId)))
    .limit(1);
  if (!row) throw new NotFoundError(`Candidate ${id} not found`);
  return row;
}

/** The parts of a logged model the registry links to. */
export type LoggedModelRef = { id: string; seq: number; sourceRunId: string | null };

/** The logged model `modelId` (`m-...`) in the project, or RESOURCE_DOES_NOT_EXIST. */
export async function loggedModelById(db: Database, projectId: number, modelId: string): Promise<LoggedModelRef> {
  const [row] = await db
    .select({ id: loggedModels.id, seq: loggedModels.seq, sourceRunId: loggedModels.sourceRunId })
    .from(loggedModels)
    .where(and(eq(loggedModels.id, modelId), eq(loggedModels.projectId, projectId)))
    .limit(1);
  if (!row) throw new NotFoundError(`Logged model with id=${modelId} not found`);
  return row;
}
