/**
 * Which ML object an `ml_` package belongs to, checked against the project: a candidate, a
 * logged model or a model version of another project (or of none) is a NotFoundError, so no
 * package can be addressed across projects.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { candidates, loggedModels, modelVersions, registeredModels } from '../db/schema';
import { NotFoundError } from '../errors';
import type { MlOwner } from './names';

/** Throws NotFoundError unless `owner` exists in the project. */
export async function checkOwner(db: Database, projectId: number, owner: MlOwner): Promise<void> {
  let found: unknown;
  if (owner.kind === 'candidate') {
    found = await db
      .select({ id: candidates.id })
      .from(candidates)
      .where(and(eq(candidates.id, owner.id), eq(candidates.projectId, projectId)))
      .get();
    if (!found) throw new NotFoundError(`Candidate ${owner.id} not found`);
  } else if (owner.kind === 'logged_model') {
    found = await db
      .select({ seq: loggedModels.seq })
      .from(loggedModels)
      .where(and(eq(loggedModels.seq, owner.id), eq(loggedModels.projectId, projectId)))
      .get();
    if (!found) throw new NotFoundError(`Logged model ${owner.id} not found in this project`);
  } else {
    found = await db
      .select({ id: modelVersions.id })
      .from(modelVersions)
      .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.registeredModelId))
      .where(and(eq(modelVersions.id, owner.id), eq(registeredModels.projectId, projectId)))
      .get();
    if (!found) throw new NotFoundError(`Model version ${owner.id} not found in this project`);
  }
}
