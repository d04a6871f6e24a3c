/**
 * Seeds a logged model the way MLflow 3's `sklearn.log_model` does, through the MLflow API:
 * create the logged model from a run, log its params and a metric, upload MLmodel, the input
 * example and the pickle to its artifact URI, finalize it, and record it as the run's output.
 */
import { callJson, call, unique } from '../helpers';
import { mlflowPrefix } from '../api/mlflow/mlflow-helpers';

/** An MLmodel as MLflow 3.x writes it for scikit-learn (signature parts are JSON inside YAML). */
export function sklearnMlModel(modelId: string, inputName = 'sepal length (cm)') {
  const inputs = JSON.stringify([
    { type: 'double', name: inputName, required: true },
    { type: 'double', name: 'petal width (cm)', required: false },
  ]);
  const outputs = JSON.stringify([{ type: 'tensor', 'tensor-spec': { dtype: 'int64', shape: [-1] } }]);
  return `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.1
mlflow_version: 3.11.0
model_id: ${modelId}
model_size_bytes: 1234
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '${inputs.replaceAll("'", "''")}'
  outputs: '${outputs}'
  params: null
utc_time_created: '2026-12-03 10:00:00.000000'
`;
}

/** The MLflow API of a project as `token`. */
export function mlflowApi(projectId: number, token: string) {
  return <T = any>(method: string, path: string, json?: unknown) => callJson<T>(method, `${mlflowPrefix(projectId)}${path}`, { token, json: json ?? {} });
}

/** Uploads `text` to an artifact URI path the way the MLflow client PUTs files. */
export async function putArtifact(token: string, artifactUri: string, path: string, text: string) {
  const body = new TextEncoder().encode(text);
  const url = `${new URL(artifactUri).pathname}/${path}`;
  const res = await call('PUT', url, { token, body, headers: { 'content-type': 'text/plain', 'content-length': String(body.length) } });
  if (res.status !== 200) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** A logged sklearn-like model from run `runId`; returns its id. */
export async function logSklearnModel(projectId: number, token: string, experimentId: string, runId: string, opts: { name?: string; inputName?: string; accuracy?: number } = {}) {
  const api = mlflowApi(projectId, token);
  const created = await api('POST', '/logged-models', { experiment_id: experimentId, name: opts.name ?? 'model', model_type: 'sklearn', source_run_id: runId, params: [{ key: 'C', value: '0.5' }] });
  if (created.status !== 200) throw new Error(JSON.stringify(created.body));
  const { model_id: id, artifact_uri: uri } = created.body.model.info;
  await api('POST', `/logged-models/${id}/params`, { model_id: id, params: [{ key: 'max_iter', value: '200' }] });
  await api('POST', '/runs/log-metric', { run_id: runId, key: 'accuracy', value: opts.accuracy ?? 0.96, timestamp: Date.now(), step: 0, model_id: id });
  await putArtifact(token, uri, 'MLmodel', sklearnMlModel(id, opts.inputName));
  await putArtifact(token, uri, 'input_example.json', JSON.stringify({ columns: ['sepal length (cm)', 'petal width (cm)'], data: [[5.1, 0.2]] }));
  await putArtifact(token, uri, 'model.pkl', 'not really a pickle');
  await api('PATCH', `/logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
  await api('POST', '/runs/outputs', { run_id: runId, models: [{ model_id: id, step: 0 }] });
  return id as string;
}

/** An experiment and a finished run with params and a metric; returns their MLflow ids. */
export async function experimentAndRun(projectId: number, token: string, run: { name: string; params?: Record<string, string>; metrics?: Record<string, number> }, experimentName = unique('exp')) {
  const api = mlflowApi(projectId, token);
  const experimentId: string = (await api('POST', '/experiments/create', { name: experimentName })).body.experiment_id;
  return { experimentId, runId: await logRun(projectId, token, experimentId, run) };
}

/** A finished run in an experiment with params and metrics; returns its run id. */
export async function logRun(projectId: number, token: string, experimentId: string, run: { name: string; params?: Record<string, string>; metrics?: Record<string, number> }) {
  const api = mlflowApi(projectId, token);
  const runId: string = (await api('POST', '/runs/create', { experiment_id: experimentId, run_name: run.name, start_time: Date.now() })).body.run.info.run_id;
  await api('POST', '/runs/log-batch', {
    run_id: runId,
    params: Object.entries(run.params ?? {}).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(run.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
  });
  await api('POST', '/runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  return runId;
}
