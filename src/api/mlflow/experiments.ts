/** MLflow REST: experiments (create, get, get-by-name, search, update, delete, restore, tags). */
import { z } from 'zod';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
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
import { idField, keyValue, mlflowInput, originOf, projectIdOf, required, viewType } from './input';
import { experimentJson } from './tracking-json';
import { searchEndpoint, searchInput } from './search';

const experimentId = { experiment_id: idField('experiment_id') };
const inputs = {
  create: z.object({ name: required('name'), artifact_location: z.string().optional(), tags: z.array(keyValue).optional() }),
  id: z.object(experimentId),
  byName: z.object({ experiment_name: required('experiment_name') }),
  search: searchInput({ view_type: viewType.optional() }),
  rename: z.object({ ...experimentId, new_name: required('new_name') }),
  setTag: z.object({ ...experimentId, key: required('key'), value: required('value') }),
  deleteTag: z.object({ ...experimentId, key: required('key') }),
};

const search = searchEndpoint(
  inputs.search,
  'experiments',
  async (c, input, paging) => {
    const page = await searchExperiments(c.get('db'), projectIdOf(c), { ...paging, orderBy: input.order_by, viewType: input.view_type });
    return { items: page.experiments, nextPageToken: page.nextPageToken };
  },
  experimentJson,
);

export const experimentsApi = handlers()
  .on(routes.mlflow.experiments.create, async (c) => {
    const input = await mlflowInput(c, inputs.create);
    const experiment = await createExperiment(c.get('db'), projectIdOf(c), c.get('actor')!.user.id, { name: input.name, tags: input.tags });
    return c.json({ experiment_id: String(experiment.iid) });
  })
  .on(routes.mlflow.experiments.get, async (c) => {
    const input = await mlflowInput(c, inputs.id);
    const experiment = await getExperiment(c.get('db'), projectIdOf(c), input.experiment_id);
    return c.json({ experiment: experimentJson(experiment, originOf(c)) });
  })
  .on(routes.mlflow.experiments.getByName, async (c) => {
    const input = await mlflowInput(c, inputs.byName);
    const experiment = await getExperimentByName(c.get('db'), projectIdOf(c), input.experiment_name);
    return c.json({ experiment: experimentJson(experiment, originOf(c)) });
  })
  .on(routes.mlflow.experiments.search, search)
  .on(routes.mlflow.experiments.update, async (c) => {
    const input = await mlflowInput(c, inputs.rename);
    await renameExperiment(c.get('db'), projectIdOf(c), input.experiment_id, input.new_name);
    return c.json({});
  })
  .on(routes.mlflow.experiments.delete, async (c) => {
    const input = await mlflowInput(c, inputs.id);
    await deleteExperiment(c.get('db'), projectIdOf(c), input.experiment_id);
    return c.json({});
  })
  .on(routes.mlflow.experiments.restore, async (c) => {
    const input = await mlflowInput(c, inputs.id);
    await restoreExperiment(c.get('db'), projectIdOf(c), input.experiment_id);
    return c.json({});
  })
  .on(routes.mlflow.experiments.setTag, async (c) => {
    const input = await mlflowInput(c, inputs.setTag);
    await setExperimentTag(c.get('db'), projectIdOf(c), input.experiment_id, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.experiments.deleteTag, async (c) => {
    const input = await mlflowInput(c, inputs.deleteTag);
    await deleteExperimentTag(c.get('db'), projectIdOf(c), input.experiment_id, input.key);
    return c.json({});
  });
