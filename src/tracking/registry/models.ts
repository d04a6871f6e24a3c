/**
 * Registered models: named (uniquely within a project), described, tagged; their versions,
 * aliases and tags go when they are deleted.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { modelVersions, registeredModels, registeredModelTags } from '../../db/schema';
import { AlreadyExistsError } from '../../errors';
import { loadRegisteredModels, type ModelVersion, type RegisteredModel, type Tag } from './entities';
import { batch, isUniqueViolation } from '../d1';
import { findModel } from './lookup';
import { canonicalStage, checkDescription, checkModelName, checkTag, checkTags, STAGES } from './rules';

/** What it takes to create a registered model. */
export type NewRegisteredModel = { name: string; description?: string; tags?: Tag[]; userId?: number | null };

const alreadyExists = (name: string) => new AlreadyExistsError(`Registered Model (name=${name}) already exists.`);

async function loadOne(db: Database, id: number): Promise<RegisteredModel> {
  const [model] = await loadRegisteredModels(db, [id]);
  return model;
}

/** Creates a registered model with its tags, in one step; RESOURCE_ALREADY_EXISTS if the name is taken. */
export async function createRegisteredModel(db: Database, projectId: number, input: NewRegisteredModel): Promise<RegisteredModel> {
  checkModelName(input.name);
  checkDescription(input.description);
  const tags = checkTags(input.tags);
  const now = Date.now();
  try {
    const [created] = await batch(db, [
      db
        .insert(registeredModels)
        .values({ projectId, name: input.name, description: input.description ?? '', userId: input.userId ?? null, createdAt: now, updatedAt: now })
        .returning({ id: registeredModels.id }),
      sql`insert into registered_model_tags (registered_model_id, key, value)
        select (select id from registered_models where project_id = ${projectId} and name = ${input.name}),
          json_extract(value, '$.key'), json_extract(value, '$.value')
        from json_each(${JSON.stringify(tags)})`,
    ]);
    return loadOne(db, created.results[0].id as number);
  } catch (error) {
    if (isUniqueViolation(error, 'registered_models')) throw alreadyExists(input.name);
    throw error;
  }
}

/** The registered model `name`, with tags, aliases and latest versions. */
export async function getRegisteredModel(db: Database, projectId: number, name: string): Promise<RegisteredModel> {
  const row = await findModel(db, projectId, checkModelName(name));
  return loadOne(db, row.id);
}

/** Renames a model (its versions follow); RESOURCE_ALREADY_EXISTS if the new name is taken. */
export async function renameRegisteredModel(db: Database, projectId: number, name: string, newName: string): Promise<RegisteredModel> {
  checkModelName(name);
  checkModelName(newName, 'new_name');
  const row = await findModel(db, projectId, name);
  const now = Date.now();
  try {
    await db.batch([
      db.update(registeredModels).set({ name: newName, updatedAt: now }).where(eq(registeredModels.id, row.id)),
      db.update(modelVersions).set({ updatedAt: now }).where(eq(modelVersions.registeredModelId, row.id)),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, 'registered_models')) throw alreadyExists(newName);
    throw error;
  }
  return loadOne(db, row.id);
}

/** Changes a model's description. */
export async function updateRegisteredModel(db: Database, projectId: number, name: string, description?: string): Promise<RegisteredModel> {
  checkDescription(description);
  const row = await findModel(db, projectId, checkModelName(name));
  await db
    .update(registeredModels)
    .set({ ...(description !== undefined ? { description } : {}), updatedAt: Date.now() })
    .where(eq(registeredModels.id, row.id));
  return loadOne(db, row.id);
}

/** Deletes a model with its versions, tags and aliases (the candidates they came from stay). */
export async function deleteRegisteredModel(db: Database, projectId: number, name: string): Promise<void> {
  const row = await findModel(db, projectId, checkModelName(name));
  await db.delete(registeredModels).where(eq(registeredModels.id, row.id));
}

/** Sets (or replaces) a tag of a model. */
export async function setRegisteredModelTag(db: Database, projectId: number, name: string, tag: Tag): Promise<void> {
  checkTag(tag.key, tag.value);
  const row = await findModel(db, projectId, checkModelName(name));
  await db
    .insert(registeredModelTags)
    .values({ registeredModelId: row.id, key: tag.key, value: tag.value })
    .onConflictDoUpdate({ target: [registeredModelTags.registeredModelId, registeredModelTags.key], set: { value: tag.value } });
}

/** Deletes a tag of a model (a missing tag is no error, as in MLflow). */
export async function deleteRegisteredModelTag(db: Database, projectId: number, name: string, key: string): Promise<void> {
  checkTag(key, '');
  const row = await findModel(db, projectId, checkModelName(name));
  await db.delete(registeredModelTags).where(and(eq(registeredModelTags.registeredModelId, row.id), eq(registeredModelTags.key, key)));
}

/** The latest READY version of each of `stages` (every stage when none are given). */
export async function getLatestVersions(db: Database, projectId: number, name: string, stages: string[] = []): Promise<ModelVersion[]> {
  const wanted = new Set(stages.length ? stages.map((s) => canonicalStage(s, 'stages')) : STAGES);
  const model = await getRegisteredModel(db, projectId, name);
  return model.latestVersions.filter((v) => wanted.has(v.currentStage as (typeof STAGES)[number]));
}
