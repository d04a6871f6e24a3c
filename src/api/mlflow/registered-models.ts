/**
 * MLflow REST: registered models (`.../api/2.0/mlflow/registered-models/...`), aliases included,
 * and the JSON shapes of registered models and model versions. Thin: parse, call the registry,
 * shape the answer.
 */
import type { Context } from 'hono';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { requireAbility } from '../../http/middleware';
import type { ModelVersion, RegisteredModel } from '../../tracking/registry/entities';
import { deleteRegisteredModelAlias, getModelVersionByAlias, setRegisteredModelAlias } from '../../tracking/registry/aliases';
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getLatestVersions,
  getRegisteredModel,
  renameRegisteredModel,
  setRegisteredModelTag,
  updateRegisteredModel,
} from '../../tracking/registry/models';
import { searchRegisteredModels } from '../../tracking/registry/search';
import { int64, mlflowInput } from './input';

/** A required string field, with MLflow's message when it is missing. */
export const required = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `Missing value for required parameter '${field}'.` : `'${field}' must be a string`) });

/** A version number: MLflow sends a string, some callers a number. */
export const versionField = z.union([z.string(), z.number().int()], { error: (issue) => (issue.input === undefined ? "Missing value for required parameter 'version'." : "'version' must be a string") });

/** Tags as MLflow sends them; a missing value is an empty string. */
export const tagsField = z.array(z.object({ key: required('key'), value: z.string().default('') })).optional();

/** A repeated field: a list in JSON, one or more query values in a GET. */
export const listField = z.union([z.string().transform((s) => [s]), z.array(z.string())]).optional();

/** A model version in MLflow's JSON (empty lists left out, as MLflow does). */
export function modelVersionJson(v: ModelVersion) {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId ?? '',
    status: v.status,
    ...(v.statusMessage ? { status_message: v.statusMessage } : {}),
    ...(v.tags.length ? { tags: v.tags } : {}),
    run_link: v.runLink,
    ...(v.aliases.length ? { aliases: v.aliases } : {}),
    ...(v.loggedModelId ? { model_id: v.loggedModelId } : {}),
  };
}

/** A registered model in MLflow's JSON. */
export function registeredModelJson(m: RegisteredModel) {
  return {
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    description: m.description,
    ...(m.latestVersions.length ? { latest_versions: m.latestVersions.map(modelVersionJson) } : {}),
    ...(m.tags.length ? { tags: m.tags } : {}),
    ...(m.aliases.length ? { aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })) } : {}),
  };
}

const projectId = (c: Context<AppEnv>) => c.get('access').project.id;
const userId = (c: Context<AppEnv>) => c.get('actor')?.user.id ?? null;

const nameOnly = z.object({ name: required('name') });
const searchInput = z.object({
  filter: z.string().optional(),
  max_results: int64.optional(),
  order_by: listField,
  page_token: z.string().optional(),
});
const latestInput = z.object({ name: required('name'), stages: listField });
const aliasInput = z.object({ name: required('name'), alias: required('alias') });

async function search(c: Context<AppEnv>) {
  const input = await mlflowInput(c, searchInput);
  const page = await searchRegisteredModels(c.get('db'), projectId(c), {
    filter: input.filter,
    orderBy: input.order_by,
    maxResults: input.max_results,
    pageToken: input.page_token,
  });
  return c.json({
    ...(page.models.length ? { registered_models: page.models.map(registeredModelJson) } : {}),
    ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
  });
}

async function latestVersions(c: Context<AppEnv>) {
  const input = await mlflowInput(c, latestInput);
  const versions = await getLatestVersions(c.get('db'), projectId(c), input.name, input.stages);
  return c.json(versions.length ? { model_versions: versions.map(modelVersionJson) } : {});
}

/** The registered-models sub-app, mounted at `.../api/2.0/mlflow/registered-models`. */
export const registeredModelsApi = handlers()
  .on(routes.mlflow.registeredModels.create, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), tags: tagsField, description: z.string().optional() }));
    const model = await createRegisteredModel(c.get('db'), projectId(c), { ...input, userId: userId(c) });
    return c.json({ registered_model: registeredModelJson(model) });
  })
  .on(routes.mlflow.registeredModels.get, async (c) => {
    const input = await mlflowInput(c, nameOnly);
    return c.json({ registered_model: registeredModelJson(await getRegisteredModel(c.get('db'), projectId(c), input.name)) });
  })
  .on(routes.mlflow.registeredModels.rename, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), new_name: required('new_name') }));
    return c.json({ registered_model: registeredModelJson(await renameRegisteredModel(c.get('db'), projectId(c), input.name, input.new_name)) });
  })
  .on(routes.mlflow.registeredModels.update, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), description: z.string().optional() }));
    return c.json({ registered_model: registeredModelJson(await updateRegisteredModel(c.get('db'), projectId(c), input.name, input.description)) });
  })
  .on(routes.mlflow.registeredModels.delete, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, nameOnly);
    await deleteRegisteredModel(c.get('db'), projectId(c), input.name);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.search, search)
  .on(routes.mlflow.registeredModels.setTag, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), key: required('key'), value: z.string().default('') }));
    await setRegisteredModelTag(c.get('db'), projectId(c), input.name, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.deleteTag, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), key: required('key') }));
    await deleteRegisteredModelTag(c.get('db'), projectId(c), input.name, input.key);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.setAlias, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), alias: required('alias'), version: versionField }));
    await setRegisteredModelAlias(c.get('db'), projectId(c), input.name, input.alias, input.version);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.getByAlias, async (c) => {
    const input = await mlflowInput(c, aliasInput);
    return c.json({ model_version: modelVersionJson(await getModelVersionByAlias(c.get('db'), projectId(c), input.name, input.alias)) });
  })
  .on(routes.mlflow.registeredModels.deleteAlias, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, aliasInput);
    await deleteRegisteredModelAlias(c.get('db'), projectId(c), input.name, input.alias);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.latestVersions, latestVersions);
