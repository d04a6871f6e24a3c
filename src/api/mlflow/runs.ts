/**
 * MLflow REST: runs (create, get, update, delete, restore, search, log-metric, log-parameter,
 * log-batch, log-inputs, outputs, set-tag, delete-tag). `run_uuid` is accepted wherever
 * `run_id` is.
 */
import type { Context } from 'hono';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import type { AppEnv } from '../../http/env';
import { deleteTag, logBatch, logMetric, logParam, setTag } from '../../tracking/batch';
import { createRun, deleteRun, getRun, RUN_STATUSES, restoreRun, searchRuns, updateRun } from '../../tracking/candidates';
import { logInputs, logOutputs } from '../../tracking/datasets';
import { projectExperimentIds } from '../../tracking/experiments';
import { double, idField, int64, keyValue, listOf, mlflowInput, originOf, projectIdOf, required, runIdFields, runIdOf, viewType } from './input';
import { searchEndpoint, searchInput } from './search';
import { runInfoJson, runJson } from './tracking-json';

const metric = z.object({
  key: required('key'),
  value: double,
  timestamp: int64,
  step: int64.optional(),
  model_id: z.string().optional(),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
});

const toMetric = (m: z.infer<typeof metric>) => ({
  key: m.key,
  value: m.value,
  timestamp: m.timestamp,
  step: m.step ?? 0,
  modelId: m.model_id || undefined,
  datasetName: m.dataset_name || undefined,
  datasetDigest: m.dataset_digest || undefined,
});

/** The input of a request about one run: its id (`run_id` or `run_uuid`) and `shape`. */
const runInput = <T extends z.ZodRawShape>(shape: T) => z.object({ ...runIdFields, ...shape });

const inputs = {
  create: z.object({
    experiment_id: idField('experiment_id').optional(),
    user_id: z.string().optional(),
    run_name: z.string().optional(),
    start_time: int64.optional(),
    tags: z.array(keyValue).optional(),
  }),
  get: runInput({}),
  search: searchInput({ experiment_ids: listOf(idField('experiment_ids')).optional(), run_view_type: viewType.optional() }),
  update: runInput({ status: z.enum(RUN_STATUSES).optional(), end_time: int64.optional(), run_name: z.string().optional() }),
  logMetric: runInput(metric.shape),
  keyValue: runInput({ key: required('key'), value: required('value') }),
  key: runInput({ key: required('key') }),
  logBatch: runInput({ metrics: z.array(metric).optional(), params: z.array(keyValue).optional(), tags: z.array(keyValue).optional() }),
  logInputs: runInput({
    datasets: z
      .array(
        z.object({
          tags: z.array(keyValue).optional(),
          dataset: z.object({
            name: required('name'),
            digest: required('digest'),
            source_type: required('source_type'),
            source: required('source'),
            schema: z.string().optional(),
            profile: z.string().optional(),
          }),
        }),
      )
      .optional(),
    models: z.array(z.object({ model_id: required('model_id') })).optional(),
  }),
  outputs: runInput({ models: z.array(z.object({ model_id: required('model_id'), step: int64.optional() })).optional() }),
};

const search = searchEndpoint(
  inputs.search,
  'runs',
  async (c, input, paging) => {
    const db = c.get('db');
    const experimentIds = await projectExperimentIds(db, projectIdOf(c), input.experiment_ids ?? []);
    const page = await searchRuns(db, { ...paging, experimentIds, orderBy: input.order_by, viewType: input.run_view_type });
    return { items: page.runs, nextPageToken: page.nextPageToken };
  },
  runJson,
);

/** A write to a run (write_ml is the route's): reads the input and the run id. */
async function runWrite<T extends { run_id?: string; run_uuid?: string }>(c: Context<AppEnv>, schema: z.ZodType<T>) {
  const input = await mlflowInput(c, schema);
  return { input, runId: runIdOf(input), db: c.get('db'), projectId: projectIdOf(c) };
}

export const runsApi = handlers()
  .on(routes.mlflow.runs.create, async (c) => {
    const input = await mlflowInput(c, inputs.create);
    const actor = c.get('actor')!;
    const run = await createRun(c.get('db'), {
      projectId: projectIdOf(c),
      userId: actor.user.id,
      username: actor.user.username,
      experimentId: input.experiment_id,
      mlflowUser: input.user_id,
      runName: input.run_name,
      startTime: input.start_time,
      tags: input.tags,
    });
    return c.json({ run: runJson(run, originOf(c)) });
  })
  .on(routes.mlflow.runs.get, async (c) => {
    const input = await mlflowInput(c, inputs.get);
    const run = await getRun(c.get('db'), projectIdOf(c), runIdOf(input));
    return c.json({ run: runJson(run, originOf(c)) });
  })
  .on(routes.mlflow.runs.update, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.update);
    const info = await updateRun(db, projectId, runId, { status: input.status, endTime: input.end_time, runName: input.run_name });
    return c.json({ run_info: runInfoJson(info, originOf(c)) });
  })
  .on(routes.mlflow.runs.delete, async (c) => {
    const { runId, db, projectId } = await runWrite(c, inputs.get);
    await deleteRun(db, projectId, runId);
    return c.json({});
  })
  .on(routes.mlflow.runs.restore, async (c) => {
    const { runId, db, projectId } = await runWrite(c, inputs.get);
    await restoreRun(db, projectId, runId);
    return c.json({});
  })
  .on(routes.mlflow.runs.search, search)
  .on(routes.mlflow.runs.logMetric, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.logMetric);
    await logMetric(db, projectId, runId, toMetric(input));
    return c.json({});
  })
  .on(routes.mlflow.runs.logParameter, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.keyValue);
    await logParam(db, projectId, runId, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.runs.logBatch, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.logBatch);
    await logBatch(db, projectId, runId, { metrics: input.metrics?.map(toMetric), params: input.params, tags: input.tags });
    return c.json({});
  })
  .on(routes.mlflow.runs.setTag, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.keyValue);
    await setTag(db, projectId, runId, { key: input.key, value: input.value });
    return c.json({});
  })
  .on(routes.mlflow.runs.deleteTag, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.key);
    await deleteTag(db, projectId, runId, input.key);
    return c.json({});
  })
  .on(routes.mlflow.runs.logInputs, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.logInputs);
    await logInputs(db, projectId, runId, {
      datasets: input.datasets?.map((d) => ({
        tags: d.tags,
        dataset: { name: d.dataset.name, digest: d.dataset.digest, sourceType: d.dataset.source_type, source: d.dataset.source, schema: d.dataset.schema, profile: d.dataset.profile },
      })),
      models: input.models?.map((m) => ({ modelId: m.model_id })),
    });
    return c.json({});
  })
  .on(routes.mlflow.runs.logOutputs, async (c) => {
    const { input, runId, db, projectId } = await runWrite(c, inputs.outputs);
    await logOutputs(db, projectId, runId, (input.models ?? []).map((m) => ({ modelId: m.model_id, step: m.step })));
    return c.json({});
  });
