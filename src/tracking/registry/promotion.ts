/**
 * Promotion: a candidate becomes a version of a registered model (new or existing). The version
 * keeps the link to the candidate and reads its artifacts from the candidate's package, so the
 * candidate may not be deleted for good while a version uses it.
 */
import { and, eq } from 'drizzle-orm';
import type { Project } from '../../access/policy';
import type { Database } from '../../db/client';
import { candidates, modelVersions, registeredModels } from '../../db/schema';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../errors';
import type { ModelVersion, Tag } from './entities';
import { createRegisteredModel } from './models';
import { getCandidate } from '../candidates';
import { checkDescription, checkModelName, checkTags } from './rules';
import { findModel } from './lookup';
import { createModelVersion } from './versions';

/** What the UI asks for when promoting a candidate. */
export type Promotion = {
  /** The candidate (`candidates.id`), which must belong to the project. */
  candidateId: number;
  /** The registered model to add a version to; created when it does not exist. */
  modelName: string;
  /** Where the model is inside the candidate's artifacts (e.g. `model`); empty for all of them. */
  artifactPath?: string;
  /** The new version's description and tags. */
  description?: string;
  tags?: Tag[];
  /** The description of the model, used only when it is created. */
  modelDescription?: string;
  userId?: number | null;
};

/** The result of a promotion: the new version and whether its model was created for it. */
export type Promoted = { version: ModelVersion; modelCreated: boolean };

/**
 * Promotes a candidate to the next version of model `modelName` (created if missing), from
 * source `runs:/<run_id>/<artifactPath>`, as `mlflow.register_model` does. Everything is
 * checked before anything is written.
 */
export async function promoteCandidate(db: Database, project: Project, input: Promotion): Promise<Promoted> {
  checkModelName(input.modelName);
  checkDescription(input.description);
  checkDescription(input.modelDescription);
  const tags = checkTags(input.tags);
  const candidate = await getCandidate(db, project.id, input.candidateId);
  const path = (input.artifactPath ?? '').replace(/^\/+|\/+$/g, '');
  const source = path ? `runs:/${candidate.runId}/${path}` : `runs:/${candidate.runId}`;
  let modelCreated = false;
  const existing = await findModel(db, project.id, input.modelName).catch((e) => {
    if (e instanceof NotFoundError) return null;
    throw e;
  });
  if (!existing) {
    await createRegisteredModel(db, project.id, { name: input.modelName, description: input.modelDescription, userId: input.userId }).then(
      () => (modelCreated = true),
      (e) => {
        // created by someone else in the meantime: add to it
        if (!(e instanceof AlreadyExistsError)) throw e;
      },
    );
  }
  const version = await createModelVersion(db, project, {
    name: input.modelName,
    source,
    runId: candidate.runId,
    description: input.description,
    tags,
    userId: input.userId,
  });
  return { version, modelCreated };
}

/** The versions (model name and number) made from a candidate, at most `limit` of them. */
export async function versionsOfCandidate(db: Database, candidateId: number, limit = 20): Promise<{ name: string; version: number }[]> {
  return db
    .select({ name: registeredModels.name, version: modelVersions.version })
    .from(modelVersions)
    .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.registeredModelId))
    .where(eq(modelVersions.candidateId, candidateId))
    .orderBy(registeredModels.name, modelVersions.version)
    .limit(limit);
}

/** The versions (model name and number) registered from a logged model, at most `limit` of them. */
export async function versionsOfLoggedModel(db: Database, projectId: number, modelId: string, limit = 20): Promise<{ name: string; version: number }[]> {
  return db
    .select({ name: registeredModels.name, version: modelVersions.version })
    .from(modelVersions)
    .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.registeredModelId))
    .where(and(eq(registeredModels.projectId, projectId), eq(modelVersions.loggedModelId, modelId)))
    .orderBy(registeredModels.name, modelVersions.version)
    .limit(limit);
}

/**
 * Refuses (ConflictError) to delete a candidate for good while a model version uses it. The
 * hard-delete paths (UI, tracking) call this first; `model_versions.candidate_id` is
 * ON DELETE RESTRICT as a backstop.
 */
export async function assertCandidateNotPromoted(db: Database, candidateId: number): Promise<void> {
  const used = await versionsOfCandidate(db, candidateId, 6);
  if (used.length === 0) return;
  const [row] = await db.select({ runId: candidates.runId }).from(candidates).where(eq(candidates.id, candidateId)).limit(1);
  const list = used.slice(0, 5).map((v) => `${v.name} version ${v.version}`).join(', ') + (used.length > 5 ? ', ...' : '');
  throw new ConflictError(
    `Run ${row?.runId ?? candidateId} cannot be deleted permanently: model versions use its artifacts (${list}). Delete those versions first.`,
  );
}
