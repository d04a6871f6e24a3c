/**
 * MLflow REST: logged models (MLflow 3): create, get, delete, search, params, set and delete
 * tags, finalize (PATCH). `search` answers `{}` when there are none: the client calls it on
 * every list_artifacts.
 */
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import { requireAbility } from '../../http/middleware';
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
import { int64, mlflowInput } from './input';
import { experimentIdField, keyValue, listOf, loggedModelJson, originOf, required } from './tracking-json';

const orderBy = z.object({
  field_name: required('field_name'),
  ascending: z.boolean().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
});

export const loggedModelsApi = handlers()
  .on(routes.mlflow.loggedModels.create, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(
      c,
      z.object({
        experiment_id: experimentIdField(),
        name: z.string().optional(),
        model_type: z.string().optional(),
        source_run_id: z.string().optional(),
        params: z.array(keyValue).optional(),
        tags: z.array(keyValue).optional(),
      }),
    );
    const model = await createLoggedModel(c.get('db'), c.get('access').project.id, c.get('actor')!.user.id, {
      experimentId: input.experiment_id,
      name: input.name,
      modelType: input.model_type,
      sourceRunId: input.source_run_id,
      params: input.params,
      tags: input.tags,
    });
    return c.json({ model: loggedModelJson(model, originOf(c)) });
  })
  .on(routes.mlflow.loggedModels.search, async (c) => {
    const input = await mlflowInput(
      c,
      z.object({
        experiment_ids: listOf(experimentIdField('experiment_ids')).optional(),
        filter: z.string().optional(),
        order_by: z.array(orderBy).optional(),
        max_results: int64.optional(),
        page_token: z.string().optional(),
      }),
    );
    const { models, nextPageToken } = await searchLoggedModels(c.get('db'), c.get('access').project.id, {
      experimentIds: input.experiment_ids ?? [],
      filter: input.filter || undefined,
      orderBy: input.order_by,
      maxResults: input.max_results,
      pageToken: input.page_token || undefined,
    });
    const origin = originOf(c);
    return c.json({ models: models.length ? models.map((m) => loggedModelJson(m, origin)) : undefined, next_page_token: nextPageToken });
  })
  .on(routes.mlflow.loggedModels.get, async (c) => {
    const model = await getLoggedModel(c.get('db'), c.get('access').project.id, c.req.param('model_id'));
    return c.json({ model: loggedModelJson(model, originOf(c)) });
  })
  .on(routes.mlflow.loggedModels.finalize, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ status: required('status') }));
    const model = await finalizeLoggedModel(c.get('db'), c.get('access').project.id, c.req.param('model_id'), input.status);
    return c.json({ model: loggedModelJson(model, originOf(c)) });
  })
  .on(routes.mlflow.loggedModels.delete, async (c) => {
    requireAbility(c, 'write_ml');
    await deleteLoggedModel(c.get('db'), c.get('access').project.id, c.req.param('model_id'));
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.logParams, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ params: z.array(keyValue).optional() }));
    await logLoggedModelParams(c.get('db'), c.get('access').project.id, c.req.param('model_id'), input.params ?? []);
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.setTags, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ tags: z.array(keyValue).optional() }));
    await setLoggedModelTags(c.get('db'), c.get('access').project.id, c.req.param('model_id'), input.tags ?? []);
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.deleteTag, async (c) => {
    requireAbility(c, 'write_ml');
    await deleteLoggedModelTag(c.get('db'), c.get('access').project.id, c.req.param('model_id'), c.req.param('tag_key'));
    return c.json({});
  })
  .on(routes.mlflow.loggedModels.deleteTagByQuery, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ tag_key: required('tag_key') }));
    await deleteLoggedModelTag(c.get('db'), c.get('access').project.id, c.req.param('model_id'), input.tag_key);
    return c.json({});
  });
