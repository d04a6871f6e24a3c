/**
 * Finding registry rows by what MLflow names them with: a model by name, a version by name and
 * number, by alias, as `latest` or as the newest of a stage. Not found is MLflow's message.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { modelAliases, modelVersions, registeredModels } from '../../db/schema';
import { InvalidInputError, NotFoundError } from '../../errors';
import type { Stage } from './rules';

/** A registered model row. */
export type ModelRow = typeof registeredModels.$inferSelect;
/** A model version row. */
export type VersionRow = typeof modelVersions.$inferSelect;

/** The registered model `name` of the project, or RESOURCE_DOES_NOT_EXIST. */
export async function findModel(db: Database, projectId: number, name: string): Promise<ModelRow> {
  const [row] = await db
    .select()
    .from(registeredModels)
    .where(and(eq(registeredModels.projectId, projectId), eq(registeredModels.name, name)))
    .limit(1);
  if (!row) throw new NotFoundError(`Registered Model with name=${name} not found`);
  return row;
}

/** Version `version` of model `name` in the project, or RESOURCE_DOES_NOT_EXIST. */
export async function findVersion(db: Database, projectId: number, name: string, version: number): Promise<VersionRow> {
  const [row] = await db
    .select({ version: modelVersions })
    .from(modelVersions)
    .innerJoin(registeredModels, eq(registeredModels.id, modelVersions.registeredModelId))
    .where(and(eq(registeredModels.projectId, projectId), eq(registeredModels.name, name), eq(modelVersions.version, version)))
    .limit(1);
  if (!row) throw new NotFoundError(`Model Version (name=${name}, version=${version}) not found`);
  return row.version;
}

/** The version alias `alias` of model `name` points at; a missing alias is MLflow's INVALID_PARAMETER_VALUE. */
export async function findVersionByAlias(db: Database, projectId: number, name: string, alias: string): Promise<VersionRow> {
  const model = await findModel(db, projectId, name);
  const [row] = await db
    .select({ version: modelVersions })
    .from(modelAliases)
    .innerJoin(modelVersions, eq(modelVersions.id, modelAliases.modelVersionId))
    .where(and(eq(modelAliases.registeredModelId, model.id), eq(modelAliases.alias, alias)))
    .limit(1);
  if (!row) throw new InvalidInputError(`Registered model alias ${alias} not found.`, 'alias');
  return row.version;
}

/** The newest version of model `name`, optionally within one stage. */
export async function findLatestVersion(db: Database, projectId: number, name: string, stage?: Stage): Promise<VersionRow> {
  const model = await findModel(db, projectId, name);
  const [row] = await db
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.registeredModelId, model.id), stage ? eq(modelVersions.currentStage, stage) : undefined))
    .orderBy(desc(modelVersions.version))
    .limit(1);
  if (!row) throw new NotFoundError(stage ? `Registered Model with name=${name} has no version in stage ${stage}` : `Registered Model with name=${name} has no versions`);
  return row;
}
