/**
 * Aliases: a name (`champion`) pointing at one version of a model. Setting an alias again moves
 * it; deleting the version it points at removes it (the foreign key cascades).
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { modelAliases } from '../../db/schema';
import { NotFoundError } from '../../errors';
import { loadModelVersions, type ModelVersion } from './entities';
import { findModel, findVersion, findVersionByAlias } from './lookup';
import { isForeignKeyViolation } from './constraints';
import { checkAlias, checkModelName, checkVersion } from './rules';

/** Points `alias` of model `name` at `version`, moving it if it pointed elsewhere. */
export async function setRegisteredModelAlias(db: Database, projectId: number, name: string, alias: string, version: string | number): Promise<void> {
  checkModelName(name);
  checkAlias(alias);
  const row = await findVersion(db, projectId, name, checkVersion(version));
  await db
    .insert(modelAliases)
    .values({ registeredModelId: row.registeredModelId, alias, modelVersionId: row.id })
    .onConflictDoUpdate({ target: [modelAliases.registeredModelId, modelAliases.alias], set: { modelVersionId: row.id } })
    .catch((error) => {
      // the version was deleted since it was found
      if (isForeignKeyViolation(error)) throw new NotFoundError(`Model Version (name=${name}, version=${row.version}) not found`);
      throw error;
    });
}

/** Removes `alias` from model `name` (a missing alias is no error, as in MLflow). */
export async function deleteRegisteredModelAlias(db: Database, projectId: number, name: string, alias: string): Promise<void> {
  checkModelName(name);
  checkAlias(alias);
  const model = await findModel(db, projectId, name);
  await db.delete(modelAliases).where(and(eq(modelAliases.registeredModelId, model.id), eq(modelAliases.alias, alias)));
}

/** The version `alias` of model `name` points at; an unknown alias is INVALID_PARAMETER_VALUE (MLflow's code). */
export async function getModelVersionByAlias(db: Database, projectId: number, name: string, alias: string): Promise<ModelVersion> {
  checkModelName(name);
  checkAlias(alias);
  const row = await findVersionByAlias(db, projectId, name, alias);
  const [version] = await loadModelVersions(db, [row.id]);
  return version;
}
