/** MLflow REST: experiments (create, get, get-by-name, search, update, delete, restore, tags). */
import type { Context } from 'hono';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { requireAbility } from '../../http/middleware';
import {
  createExperiment,
  deleteExperiment,
  deleteExperimentTag,
  getExperiment,
  getExperimentByName,
  renameExperiment,
  restoreExperiment,
  searchExperiments,
  setExperimentTag,
} from '../../tracking/experiments';
import { int64, mlflowInput } from './input';
import { experimentIdField, experimentJson, keyValue, listOf, originOf, required, viewType } from './tracking-json';

const experimentId = { experiment_id: experimentIdField() };

const searchInput = z.object({
  max_results: int64.optional(),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: listOf(z.string()).optional(),
  view_type: viewType.optional(),
});

async function search(c: Context<AppEnv>) {
  const input = await mlflowInput(c, searchInput);
  const { experiments, nextPageToken } = await searchExperiments(c.get('db'), c.get('access').project.id, {
    filter: input.filter || undefined,
    orderBy: input.order_by,
    viewType: input.view_type,
    maxResults: input.max_results,
    pageToken: input.page_token || undefined,
  });
  const origin = originOf(c);
  return c.json({ experiments: experiments.length ? experiments.map((e) => experimentJson(e, origin)) : undefined, next_page_token: nextPageToken });
}

export const experimentsApi = handlers()
  .on(routes.mlflow.experiments.create, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ name: required('name'), artifact_location: z.string().optional(), tags: z.array(keyValue).optional() }));
    const experiment = await createExperiment(c.get('db'), c.get('access').project.id, c.get('actor')!.user.id, { name: input.name, tags: input.tags });
    return c.json({ experiment_id: String(experiment.iid) });
  })
  .on(routes.mlflow.experiments.get, async (c) => {
    const input = await mlflowInput(c, z.object(experimentId));
    const experiment = await getExperiment(c.get('db'), c.get('access').project.id, input.experiment_id);
    return c.json({ experiment: experimentJson(experiment, originOf(c)) });
  })
  .on(routes.mlflow.experiments.getByName, async (c) => {
    const input = await mlflowInput(c, z.object({ experiment_name: required('experiment_name') }));
    const experiment = await getExperimentByName(c.get('db'), c.get('access').project.id, input.experiment_name);
    return c.json({ experiment: experimentJson(experiment, originOf(c)) });
  })
  .on(routes.mlflow.experiments.search, search)
  .on(routes.mlflow.experiments.update, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ ...experimentId, new_name: required('new_name') }));
    await renameExperiment(c.get('db'), c.get('access').project.id, input.experiment_id, input.new_name);
    return c.json({});
  })
  .on(routes.mlflow.experiments.delete, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object(experimentId));
    await deleteExperiment(c.get('db'), c.get('access').project.id, input.experiment_id);
    return c.json({});
  })
  .on(routes.mlflow.experiments.restore, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object(experimentId));
    await restoreExperiment(c.get('db'), c.get('access').project.id, input.experiment_id);
    return c.json({});
  })
  .on(routes.mlflow.experiments.setTag, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ ...experimentId, key: required('key'), value: required('value') }));
    await setExperimentTag(c.get('db'), c.get('access').project.id, input.experiment_id, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.experiments.deleteTag, async (c) => {
    requireAbility(c, 'write_ml');
    const input = await mlflowInput(c, z.object({ ...experimentId, key: required('key') }));
    await deleteExperimentTag(c.get('db'), c.get('access').project.id, input.experiment_id, input.key);
    return c.json({});
  });
