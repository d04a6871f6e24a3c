/**
 * One project with something on every page, and the list of those pages: what the walks over
 * every page (the CSP test, the accessibility test) visit. A new page is added here once.
 */
import { expect } from 'vitest';
import { api, mlflow, seedOwner, unique } from './seed';

/** One file of each previewed kind (the HTML has no script: the CSP walk fails on any console error). */
const FILES: [path: string, body: string, type: string][] = [
  ['metrics.csv', 'step,loss\n0,1\n1,0.5\n', 'text/plain'],
  ['config.json', '{"a": [1, 2], "b": {"c": null}}', 'text/plain'],
  ['notes.md', '# Notes\n\n*fine*, [a link](https://example.com)', 'text/plain'],
  ['page.html', '<h1>Report</h1><p style="color: red">styled</p>', 'text/html'],
  ['plot.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>', 'image/svg+xml'],
  ['train.log', 'epoch 1\nepoch 2\n', 'text/plain'],
];

/**
 * Seeds, through the APIs: an experiment with a parent run and three finished child runs
 * (params, 20 points of `loss`), the first child's files of every previewed kind, a logged model
 * with an MLmodel (signature), and a registered model with two versions (from the run and from
 * the logged model). Returns the owner, the ids the tests follow, and every page's path.
 */
export async function seedEveryPage() {
  const owner = await seedOwner();
  const ml = mlflow(owner.token, owner.project.id);
  const { experiment_id: experimentId } = await ml('POST', 'experiments/create', { name: unique('pages') });
  const { run: parent } = await ml('POST', 'runs/create', { experiment_id: experimentId, run_name: 'parent', start_time: Date.now() });
  const runs: { runId: string; candidateId: string; artifactUri: string }[] = [];
  for (let k = 0; k < 3; k++) {
    const { run } = await ml('POST', 'runs/create', { experiment_id: experimentId, run_name: `child-${k}`, start_time: Date.now() + k, tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
    const metrics = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + k), timestamp: Date.now() + step, step }));
    await ml('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: String(10 ** -k) }], metrics });
    await ml('POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
    runs.push({ runId: run.info.run_id, candidateId: /ml_candidate_(\d+)/.exec(run.info.artifact_uri)![1], artifactUri: run.info.artifact_uri });
  }
  const put = async (uri: string, path: string, body: string, type: string) => {
    const res = await fetch(`${uri}/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${owner.token}`, 'content-type': type }, body });
    expect(res.status, path).toBe(200);
  };
  const { model } = await ml('POST', 'logged-models', { experiment_id: experimentId, name: unique('logged'), model_type: 'sklearn', source_run_id: runs[0].runId });
  await put(model.info.artifact_uri, 'MLmodel', `flavors:\n  sklearn:\n    sklearn_version: 1.5.1\nsignature:\n  inputs: '[{"type": "double", "name": "x", "required": true}]'\n  outputs: '[{"type": "long"}]'\n`, 'text/plain');
  await ml('PATCH', `logged-models/${model.info.model_id}`, { model_id: model.info.model_id, status: 'LOGGED_MODEL_READY' });
  const modelName = unique('model');
  await ml('POST', 'registered-models/create', { name: modelName });
  await ml('POST', 'model-versions/create', { name: modelName, source: `runs:/${runs[0].runId}/model`, run_id: runs[0].runId });
  await ml('POST', 'model-versions/create', { name: modelName, source: `models:/${model.info.model_id}`, run_id: runs[0].runId, model_id: model.info.model_id });
  for (const [path, body, type] of FILES) await put(runs[0].artifactUri, path, body, type);
  const filesPackage = (await api<{ id: number; name: string }[]>(owner.token, 'GET', `/api/v4/projects/${owner.project.id}/packages?package_name=ml_candidate_${runs[0].candidateId}`)).find(
    (p) => p.name === `ml_candidate_${runs[0].candidateId}`,
  )!.id;

  const base = `${owner.projectPath}/-/ml`;
  const pages = [
    '/',
    `${base}/experiments`,
    `${base}/experiments/${experimentId}`,
    `${base}/experiments/${experimentId}/compare?candidates=${runs.map((r) => r.candidateId).join(',')}`,
    `${base}/experiments/${experimentId}/sweep`,
    `${base}/candidates/${runs[0].candidateId}`,
    ...FILES.map(([path]) => `${base}/candidates/${runs[0].candidateId}?file=${path}`),
    `${base}/logged-models/${model.info.model_id}`,
    `${base}/models`,
    `${base}/models/${modelName}`,
    `${base}/models/${modelName}/versions/1`,
    `${base}/models/${modelName}/compare?versions=1,2`,
    `${owner.projectPath}/-/packages`,
    `${owner.projectPath}/-/packages/${filesPackage}`,
    '/-/user_settings/active_sessions',
  ];
  return { owner, experimentId: experimentId as string, runs, experimentPath: `${base}/experiments/${experimentId}`, pages };
}
