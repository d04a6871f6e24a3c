/**
 * MLflow REST: registered models (`.../api/2.0/mlflow/registered-models/...`), aliases included.
 * Thin: parse, call the registry, shape the answer.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { requireAbility } from '../../access/middleware';
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
import { idField, listOf, mlflowInput, projectIdOf, required, tagsField } from './input';
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
  return c.json(versions.length ? { model_versions: versions.map(modelVersionJson) } : {});
}

/** The registered-models sub-app, mounted at `.../api/2.0/mlflow/registered-models`. */
export const registeredModelsApi = new Hono<AppEnv>()
  .post('/create', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.create);
    const model = await createRegisteredModel(c.get('db'), projectIdOf(c), { ...input, userId: userId(c) });
    return c.json({ registered_model: registeredModelJson(model) });
  })
  .get('/get', async (c) => {
    const input = await mlflowInput(c, inputs.name);
    return c.json({ registered_model: registeredModelJson(await getRegisteredModel(c.get('db'), projectIdOf(c), input.name)) });
  })
  .post('/rename', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.rename);
    return c.json({ registered_model: registeredModelJson(await renameRegisteredModel(c.get('db'), projectIdOf(c), input.name, input.new_name)) });
  })
  .patch('/update', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.update);
    return c.json({ registered_model: registeredModelJson(await updateRegisteredModel(c.get('db'), projectIdOf(c), input.name, input.description)) });
  })
  .delete('/delete', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.name);
    await deleteRegisteredModel(c.get('db'), projectIdOf(c), input.name);
    return c.json({});
  })
  .get('/search', search)
  .post('/search', search)
  .post('/set-tag', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.setTag);
    await setRegisteredModelTag(c.get('db'), projectIdOf(c), input.name, { key: input.key, value: input.value });
    return c.json({});
  })
  .delete('/delete-tag', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.key);
    await deleteRegisteredModelTag(c.get('db'), projectIdOf(c), input.name, input.key);
    return c.json({});
  })
  .post('/alias', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.setAlias);
    await setRegisteredModelAlias(c.get('db'), projectIdOf(c), input.name, input.alias, input.version);
    return c.json({});
  })
  .get('/alias', async (c) => {
    const input = await mlflowInput(c, inputs.alias);
    return c.json({ model_version: modelVersionJson(await getModelVersionByAlias(c.get('db'), projectIdOf(c), input.name, input.alias)) });
  })
  .delete('/alias', async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, inputs.alias);
    await deleteRegisteredModelAlias(c.get('db'), projectIdOf(c), input.name, input.alias);
    return c.json({});
  })
  .post('/get-latest-versions', latestVersions)
  .get('/get-latest-versions', latestVersions);
