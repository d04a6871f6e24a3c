/**
 * Model versions: numbered 1, 2, 3... per model (the number is taken inside the INSERT, so two
 * creates never share one), READY at once, linked to the candidate they came from.
 */
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Project } from '../../access/policy';
import type { Database } from '../../db/client';
import { modelVersions, modelVersionTags, registeredModels } from '../../db/schema';
import { InvalidInputError, NotFoundError } from '../../errors';
import { batch } from '../d1';
import { loadModelVersions, type ModelVersion, type Tag } from './entities';
import { findModel, findVersion } from './lookup';
import { isForeignKeyViolation } from './constraints';
import { ACTIVE_STAGES, canonicalStage, checkDescription, checkModelName, checkTag, checkTags, checkVersion, MAX_SOURCE } from './rules';
import { artifactLocation, NO_PACKAGE_URLS, resolveSource, type ArtifactLocation, type PackageUrls } from './sources';

/** The tag that marks a registered model or version as a prompt (MLflow's prompt registry). */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';
/** The logged model tag listing the registered versions made from it. */
export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/** What it takes to create a model version (MLflow's CreateModelVersion). */
export type NewModelVersion = {
  name: string;
  source: string;
  runId?: string;
  /** MLflow 3's `model_id`: the logged model being registered. */
  modelId?: string;
  /** The link the client gave; without one, the API answers the source candidate's page. */
  runLink?: string;
  description?: string;
  tags?: Tag[];
  userId?: number | null;
};

async function loadOne(db: Database, id: number): Promise<ModelVersion> {
  const [version] = await loadModelVersions(db, [id]);
  return version;
}

/**
 * Appends `{"name", "version"}` of the model's newest version to the logged model's
 * `mlflow.modelVersions` tag, as MLflow's server does when a logged model is registered.
 */
function recordOnLoggedModel(registeredModelId: number, name: string, loggedModelId: string) {
  const entry = sql`json_object('name', ${name}, 'version', (select max(version) from model_versions where registered_model_id = ${registeredModelId}))`;
  return sql`insert into logged_model_tags (model_seq, key, value)
    select seq, ${MODEL_VERSIONS_TAG}, json_array(${entry}) from logged_models where id = ${loggedModelId}
    on conflict (model_seq, key) do update set
      value = json_insert(case when json_valid(value) and json_type(value) = 'array' then value else '[]' end, '$[#]', ${entry})`;
}

/**
 * Creates the next version of model `name` from `source`; see sources.ts for what a source may be
 * (an http(s) one read with `urls`, the HTTP part's reader; without it, such a source is refused).
 */
export async function createModelVersion(db: Database, project: Project, input: NewModelVersion, urls: PackageUrls = NO_PACKAGE_URLS): Promise<ModelVersion> {
  checkModelName(input.name);
  if (input.source === '') throw new InvalidInputError("Missing value for required parameter 'source'.", 'source');
  if (input.source.length > MAX_SOURCE) throw new InvalidInputError(`'source' exceeds the maximum length of ${MAX_SOURCE} characters`, 'source');
  if ((input.runLink ?? '').length > MAX_SOURCE) throw new InvalidInputError(`'run_link' exceeds the maximum length of ${MAX_SOURCE} characters`, 'run_link');
  checkDescription(input.description);
  const tags = checkTags(input.tags);
  const isPrompt = tags.some((t) => t.key === PROMPT_TAG);
  const model = await findModel(db, project.id, input.name);
  const links = await resolveSource(db, project, { source: input.source, runId: input.runId || undefined, modelId: input.modelId || undefined, isPrompt }, urls);
  const runLink = input.runLink ?? '';
  const now = Date.now();
  const created = batch(db, [
    sql`insert into model_versions
        (registered_model_id, version, description, source, candidate_id, run_link, logged_model_id, status, current_stage, user_id, created_at, updated_at)
      select ${model.id}, coalesce(max(version), 0) + 1, ${input.description ?? ''}, ${input.source}, ${links.candidateId}, ${runLink},
        ${links.loggedModelId}, 'READY', 'None', ${input.userId ?? null}, ${now}, ${now}
      from model_versions where registered_model_id = ${model.id}
      returning id`,
    // the row just inserted is the model's newest: ids only grow
    sql`insert into model_version_tags (model_version_id, key, value)
      select (select max(id) from model_versions where registered_model_id = ${model.id}), json_extract(value, '$.key'), json_extract(value, '$.value')
      from json_each(${JSON.stringify(tags)})`,
    db.update(registeredModels).set({ updatedAt: now }).where(eq(registeredModels.id, model.id)),
    ...(links.loggedModelId && !isPrompt ? [recordOnLoggedModel(model.id, input.name, links.loggedModelId)] : []),
  ]);
  const [inserted] = await created.catch((error) => {
    // the model or the run was deleted since they were checked
    if (isForeignKeyViolation(error)) throw new NotFoundError(`Registered Model with name=${input.name} or the run of '${input.source}' no longer exists`);
    throw error;
  });
  return loadOne(db, inserted.results[0].id as number);
}

/** Version `version` of model `name`. */
export async function getModelVersion(db: Database, projectId: number, name: string, version: string | number): Promise<ModelVersion> {
  const row = await findVersion(db, projectId, checkModelName(name), checkVersion(version));
  return loadOne(db, row.id);
}

/** A page of model `name`'s versions, newest first, and how many it has (for pages that list them). */
export async function listModelVersions(
  db: Database,
  projectId: number,
  name: string,
  page: { limit: number; offset: number },
): Promise<{ versions: ModelVersion[]; total: number }> {
  const model = await findModel(db, projectId, checkModelName(name));
  const [rows, [count]] = await db.batch([
    db
      .select({ id: modelVersions.id })
      .from(modelVersions)
      .where(eq(modelVersions.registeredModelId, model.id))
      .orderBy(desc(modelVersions.version))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)` }).from(modelVersions).where(eq(modelVersions.registeredModelId, model.id)),
  ]);
  return { versions: await loadModelVersions(db, rows.map((r) => r.id)), total: count.total };
}

/** Changes a version's description (when given; MLflow leaves it alone otherwise). */
export async function updateModelVersion(db: Database, projectId: number, name: string, version: string | number, description?: string): Promise<ModelVersion> {
  const row = await findVersion(db, projectId, checkModelName(name), checkVersion(version));
  checkDescription(description);
  await db
    .update(modelVersions)
    .set({ ...(description !== undefined ? { description } : {}), updatedAt: Date.now() })
    .where(eq(modelVersions.id, row.id));
  return loadOne(db, row.id);
}

/** Deletes a version; its tags and the aliases pointing at it go with it. */
export async function deleteModelVersion(db: Database, projectId: number, name: string, version: string | number): Promise<void> {
  const row = await findVersion(db, projectId, checkModelName(name), checkVersion(version));
  await db.batch([
    db.delete(modelVersions).where(eq(modelVersions.id, row.id)),
    db.update(registeredModels).set({ updatedAt: Date.now() }).where(eq(registeredModels.id, row.registeredModelId)),
  ]);
}

/** Sets (or replaces) a tag of a version. */
export async function setModelVersionTag(db: Database, projectId: number, name: string, version: string | number, tag: Tag): Promise<void> {
  checkTag(tag.key, tag.value);
  const row = await findVersion(db, projectId, checkModelName(name), checkVersion(version));
  await db
    .insert(modelVersionTags)
    .values({ modelVersionId: row.id, key: tag.key, value: tag.value })
    .onConflictDoUpdate({ target: [modelVersionTags.modelVersionId, modelVersionTags.key], set: { value: tag.value } });
}

/** Deletes a tag of a version (a missing tag is no error, as in MLflow). */
export async function deleteModelVersionTag(db: Database, projectId: number, name: string, version: string | number, key: string): Promise<void> {
  checkTag(key, '');
  const row = await findVersion(db, projectId, checkModelName(name), checkVersion(version));
  await db.delete(modelVersionTags).where(and(eq(modelVersionTags.modelVersionId, row.id), eq(modelVersionTags.key, key)));
}

/**
 * Moves a version to a stage (MLflow's deprecated stages, still called by clients). With
 * `archiveExisting`, the model's other versions in that stage move to Archived in the same step;
 * only Staging and Production allow it.
 */
export async function transitionModelVersionStage(
  db: Database,
  projectId: number,
  input: { name: string; version: string | number; stage: string; archiveExisting?: boolean },
): Promise<ModelVersion> {
  const stage = canonicalStage(input.stage);
  if (input.archiveExisting && !ACTIVE_STAGES.includes(stage)) {
    throw new InvalidInputError(
      `Model version transition cannot archive existing model versions because '${input.stage}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(', ')}`,
      'archive_existing_versions',
    );
  }
  const row = await findVersion(db, projectId, checkModelName(input.name), checkVersion(input.version));
  const now = Date.now();
  const archive = db
    .update(modelVersions)
    .set({ currentStage: 'Archived', updatedAt: now })
    .where(and(eq(modelVersions.registeredModelId, row.registeredModelId), eq(modelVersions.currentStage, stage), ne(modelVersions.id, row.id)));
  const move = db.update(modelVersions).set({ currentStage: stage, updatedAt: now }).where(eq(modelVersions.id, row.id));
  const touch = db.update(registeredModels).set({ updatedAt: now }).where(eq(registeredModels.id, row.registeredModelId));
  await (input.archiveExisting ? db.batch([archive, move, touch]) : db.batch([move, touch]));
  return loadOne(db, row.id);
}

/**
 * Where a version's artifacts are downloaded from: a location in this project's packages (an
 * http(s) source read with `urls`), or (a prompt's source, which may be anything) null and the source as it is.
 */
export async function getModelVersionArtifacts(
  db: Database,
  project: Project,
  name: string,
  version: string | number,
  urls: PackageUrls,
): Promise<{ location: ArtifactLocation | null; source: string }> {
  const row = await findVersion(db, project.id, checkModelName(name), checkVersion(version));
  return { location: await artifactLocation(db, project, row, urls), source: row.source };
}
