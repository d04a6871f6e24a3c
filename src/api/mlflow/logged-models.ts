/**
 * MLflow REST: logged models (MLflow 3): create, get, delete, search, params, set and delete
 * tags, finalize (PATCH). `search` answers `{}` when there are none: the client calls it on
 * every list_artifacts.
 */
import { z } from 'zod';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
import {
  createLoggedModel,
  deleteLoggedModel,
  deleteLoggedModelTag,
  finalizeLoggedModel,
  getLoggedModel,
  logLoggedModelParams,
  searchLoggedModels,
  setLoggedModelTags,
} from '../../tracking/logged-models';
import { idField, keyValue, listOf, mlflowInput, originOf, projectIdOf, required } from './input';
import { searchEndpoint, searchInput } from './search';
import { loggedModelJson } from './tracking-json';

const inputs = {
  create: z.object({
    experiment_id: idField('experiment_id'),
    name: z.string().optional(),
    model_type: z.string().optional(),
    source_run_id: z.string().optional(),
    params: z.array(keyValue).optional(),
    tags: z.array(keyValue).optional(),
  }),
  search: searchInput({
    experiment_ids: listOf(idField('experiment_ids')).optional(),
    order_by: z.array(z.object({ field_name: required('field_name'), ascending: z.boolean().optional(), dataset_name: z.string().optional(), dataset_digest: z.string().optional() })).optional(),
  }),
  finalize: z.object({ status: required('status') }),
  params: z.object({ params: z.array(keyValue).optional() }),
  tags: z.object({ tags: z.array(keyValue).optional() }),
  deleteTag: z.object({ tag_key: required('tag_key') }),
};

const search = searchEndpoint(
  inputs.search,
  'models',
  async (c, input, paging) => {
    const page = await searchLoggedModels(c.get('db'), projectIdOf(c), { ...paging, experimentIds: input.experiment_ids ?? [], orderBy: input.order_by });
    return { items: page.models, nextPageToken: page.nextPageToken };
  },
  loggedModelJson,
);

export const loggedModelsApi = handlers()
  .on(routes.mlflow.loggedModels.create, async (c) => {
    const input = await mlflowInput(c, inputs.create);
    const model = await createLoggedModel(c.get('db'), projectIdOf(c), c.get('actor')!.user.id, {
      experimentId: input.experiment_id,
      name: input.name,
      modelType: input.model_type,
      sourceRunId: input.source_run_id,
      params: input.params,
      tags: input.tags,
    });
    return c.json({ model: loggedModelJson(model, originOf(c)) });
  })
  .on(routes.mlflow.loggedModels.search, search)
  .on(routes.mlflow.loggedModels.get, async (c) => {
    const model = await getLoggedModel(c.get('db'), projectIdOf(c), c.req.param('model_id'));
    return c.json({ model: loggedModelJson(model, originOf(c)) });
  })
  .on(routes.mlflow.loggedModels.finalize, async (c) => {
    const input = await mlflowInput(c, inputs.finalize);
    const model = await finalizeLoggedModel(c.get('db'), projectIdOf(c), c.req.param('model_id'), input.status);
    return c.json({ model: loggedModelJson(model, originOf(c)) });
  })
  .on(routes.mlflow.loggedModels.delete, async (c) => {
    await deleteLoggedModel(c.get('db'), projectIdOf(c), c.req.param('model_id'));
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.logParams, async (c) => {
    const input = await mlflowInput(c, inputs.params);
    await logLoggedModelParams(c.get('db'), projectIdOf(c), c.req.param('model_id'), input.params ?? []);
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.setTags, async (c) => {
    const input = await mlflowInput(c, inputs.tags);
    await setLoggedModelTags(c.get('db'), projectIdOf(c), c.req.param('model_id'), input.tags ?? []);
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.deleteTag, async (c) => {
    await deleteLoggedModelTag(c.get('db'), projectIdOf(c), c.req.param('model_id'), c.req.param('tag_key'));
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.deleteTagByQuery, async (c) => {
    const input = await mlflowInput(c, inputs.deleteTag);
    await deleteLoggedModelTag(c.get('db'), projectIdOf(c), c.req.param('model_id'), input.tag_key);
    return c.json({});
  });
