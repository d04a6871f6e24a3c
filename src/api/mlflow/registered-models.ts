/**
 * MLflow REST: registered models (`.../api/2.0/mlflow/registered-models/...`), aliases included.
 * Thin: parse, call the registry, shape the answer.
 */
import { type Context } from 'hono';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
import { z } from 'zod';
import type { AppEnv } from '../../http/env';
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
import { idField, listOf, mlflowInput, originOf, projectIdOf, required, tagsField } from './input';
import { modelVersionJson, registeredModelJson } from './registry-json';
import { searchEndpoint, searchInput } from './search';

const name = { name: required('name') };
const inputs = {
  create: z.object({ ...name, tags: tagsField, description: z.string().optional() }),
  name: z.object(name),
  rename: z.object({ ...name, new_name: required('new_name') }),
  update: z.object({ ...name, description: z.string().optional() }),
  search: searchInput({}),
  setTag: z.object({ ...name, key: required('key'), value: z.string().default('') }),
  key: z.object({ ...name, key: required('key') }),
  setAlias: z.object({ ...name, alias: required('alias'), version: idField('version') }),
  alias: z.object({ ...name, alias: required('alias') }),
  latestVersions: z.object({ ...name, stages: listOf(z.string()).optional() }),
};

const userId = (c: Context<AppEnv>) => c.get('actor')?.user.id ?? null;

const search = searchEndpoint(
  inputs.search,
  'registered_models',
  async (c, input, paging) => {
    const page = await searchRegisteredModels(c.get('db'), projectIdOf(c), { ...paging, orderBy: input.order_by });
    return { items: page.models, nextPageToken: page.nextPageToken };
  },
  registeredModelJson,
);

async function latestVersions(c: Context<AppEnv>) {
  const input = await mlflowInput(c, inputs.latestVersions);
  const versions = await getLatestVersions(c.get('db'), projectIdOf(c), input.name, input.stages);
  return c.json(versions.length ? { model_versions: versions.map((v) => modelVersionJson(v, originOf(c), c)) } : {});
}

/** The registered-models endpoints (declared in `routes.mlflow.registeredModels`). */
export const registeredModelsApi = handlers()
  .on(routes.mlflow.registeredModels.create, async (c) => {
    const input = await mlflowInput(c, inputs.create);
    const model = await createRegisteredModel(c.get('db'), projectIdOf(c), { ...input, userId: userId(c) });
    return c.json({ registered_model: registeredModelJson(model, originOf(c), c) });
  })
  .on(routes.mlflow.registeredModels.get, async (c) => {
    const input = await mlflowInput(c, inputs.name);
    return c.json({ registered_model: registeredModelJson(await getRegisteredModel(c.get('db'), projectIdOf(c), input.name), originOf(c), c) });
  })
  .on(routes.mlflow.registeredModels.rename, async (c) => {
    const input = await mlflowInput(c, inputs.rename);
    return c.json({ registered_model: registeredModelJson(await renameRegisteredModel(c.get('db'), projectIdOf(c), input.name, input.new_name), originOf(c), c) });
  })
  .on(routes.mlflow.registeredModels.update, async (c) => {
    const input = await mlflowInput(c, inputs.update);
    return c.json({ registered_model: registeredModelJson(await updateRegisteredModel(c.get('db'), projectIdOf(c), input.name, input.description), originOf(c), c) });
  })
  .on(routes.mlflow.registeredModels.delete, async (c) => {
    const input = await mlflowInput(c, inputs.name);
    await deleteRegisteredModel(c.get('db'), projectIdOf(c), input.name);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.search, search)
  .on(routes.mlflow.registeredModels.setTag, async (c) => {
    const input = await mlflowInput(c, inputs.setTag);
    await setRegisteredModelTag(c.get('db'), projectIdOf(c), input.name, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.deleteTag, async (c) => {
    const input = await mlflowInput(c, inputs.key);
    await deleteRegisteredModelTag(c.get('db'), projectIdOf(c), input.name, input.key);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.setAlias, async (c) => {
    const input = await mlflowInput(c, inputs.setAlias);
    await setRegisteredModelAlias(c.get('db'), projectIdOf(c), input.name, input.alias, input.version);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.getByAlias, async (c) => {
    const input = await mlflowInput(c, inputs.alias);
    return c.json({ model_version: modelVersionJson(await getModelVersionByAlias(c.get('db'), projectIdOf(c), input.name, input.alias), originOf(c), c) });
  })
  .on(routes.mlflow.registeredModels.deleteAlias, async (c) => {
    const input = await mlflowInput(c, inputs.alias);
    await deleteRegisteredModelAlias(c.get('db'), projectIdOf(c), input.name, input.alias);
    return c.json({});
  })
  .on(routes.mlflow.registeredModels.latestVersions, latestVersions)
