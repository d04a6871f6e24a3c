import { afterAll, describe, expect, inject, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { api, mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

describe('the strict Content-Security-Policy', () => {
  it('is never violated on any page, in light or dark mode, while sorting, filtering, paging and drawing', async () => {
    const owner = await seedOwner();
    const ml = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('csp') });
    const { run: parent } = await ml('POST', 'runs/create', { experiment_id, run_name: 'parent', start_time: Date.now() });
    const runs: string[] = [];
    for (let k = 0; k < 3; k++) {
      const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: `child-${k}`, start_time: Date.now() + k, tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
      runs.push(run.info.run_id);
      const metrics = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + k), timestamp: Date.now() + step, step }));
      await ml('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: String(10 ** -k) }], metrics });
    }
    // a logged model with an MLmodel (its page reads the signature), registered twice (the comparison)
    const { model } = await ml('POST', 'logged-models', { experiment_id, name: 'csp-logged', model_type: 'sklearn', source_run_id: runs[0] });
    const put = async (uri: string, path: string, body: string, type: string) => {
      const res = await fetch(`${uri}/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${owner.token}`, 'content-type': type }, body });
      expect(res.status, path).toBe(200);
    };
    await put(model.info.artifact_uri, 'MLmodel', `flavors:\n  sklearn:\n    sklearn_version: 1.5.1\nsignature:\n  inputs: '[{"type": "double", "name": "x", "required": true}]'\n  outputs: '[{"type": "long"}]'\n`, 'text/plain');
    await ml('PATCH', `logged-models/${model.info.model_id}`, { model_id: model.info.model_id, status: 'LOGGED_MODEL_READY' });
    await ml('POST', 'registered-models/create', { name: 'csp-model' });
    await ml('POST', 'model-versions/create', { name: 'csp-model', source: `runs:/${runs[0]}/model`, run_id: runs[0] });
    await ml('POST', 'model-versions/create', { name: 'csp-model', source: `models:/${model.info.model_id}`, run_id: runs[0], model_id: model.info.model_id });
    // one file of each previewed kind (the HTML has no script: the walk fails on any console error)
    const runUri = (await ml('GET', `runs/get?run_id=${runs[0]}`)).run.info.artifact_uri as string;
    const files: [string, string, string][] = [
      ['metrics.csv', 'step,loss\n0,1\n1,0.5\n', 'text/plain'],
      ['config.json', '{"a": [1, 2], "b": {"c": null}}', 'text/plain'],
      ['notes.md', '# Notes\n\n*fine*', 'text/plain'],
      ['page.html', '<h1>Report</h1><p style="color: red">styled</p>', 'text/html'],
      ['plot.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>', 'image/svg+xml'],
      ['train.log', 'epoch 1\nepoch 2\n', 'text/plain'],
    ];
    for (const [path, body, type] of files) await put(runUri, path, body, type);
    const withFiles = /ml_candidate_(\d+)/.exec(runUri)![1];
    const packages: { id: number; name: string }[] = await api(owner.token, 'GET', `/api/v4/projects/${owner.project.id}/packages?package_name=ml_candidate_${withFiles}`);
    const filesPackage = packages.find((p) => p.name === `ml_candidate_${withFiles}`)!.id;
    const candidates = await api(owner.token, 'GET', `/api/v4/projects/${owner.project.id}/ml/mlflow/api/2.0/mlflow/runs/search?experiment_ids=${experiment_id}`);
    const ids = (candidates.runs as { info: { artifact_uri: string } }[]).map((r) => /ml_candidate_(\d+)/.exec(r.info.artifact_uri)![1]);

    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page } = await newPage();
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
      });
      await page.emulateMedia({ colorScheme });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`${page.url()}: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`${page.url()}: ${e}`));
      await signIn(page, owner.username, owner.password);
      const base = `${owner.projectPath}/-/ml`;
      for (const path of [
        '/',
        `${base}/experiments`,
        `${base}/experiments/${experiment_id}`,
        `${base}/experiments/${experiment_id}/compare?candidates=${ids.join(',')}`,
        `${base}/experiments/${experiment_id}/sweep`,
        `${base}/candidates/${ids[0]}`,
        ...files.map(([path]) => `${base}/candidates/${withFiles}?file=${path}`),
        `${base}/logged-models/${model.info.model_id}`,
        `${base}/models`,
        `${base}/models/csp-model`,
        `${base}/models/csp-model/versions/1`,
        `${base}/models/csp-model/compare?versions=1,2`,
        `${owner.projectPath}/-/packages`,
        `${owner.projectPath}/-/packages/${filesPackage}`,
      ]) {
        const res = await page.goto(path);
        expect(res?.status(), path).toBe(200);
        await page.waitForLoadState('networkidle');
      }
      // the link the MLflow client prints: the tracking URI's root page hands its fragment on
      await page.goto(`${inject('origin')}/api/v4/projects/${owner.project.id}/ml/mlflow/#/experiments/${experiment_id}/runs/${runs[0]}`);
      await page.waitForURL(`**/-/ml/candidates/${withFiles}`);
      await page.waitForLoadState('networkidle');
      // the candidates table's htmx swaps: sort by a column, filter as you type
      await page.goto(`${base}/experiments/${experiment_id}`);
      await page.locator('th a', { hasText: 'loss' }).first().click();
      await page.waitForURL('**sort=**');
      await page.waitForLoadState('networkidle');
      await page.getByLabel('Filter by name').fill('child');
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
      await context.close();
    }
  }, 180_000);
});
