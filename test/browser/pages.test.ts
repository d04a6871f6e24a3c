/**
 * What MLflow's users reach for after a run, in Chromium: the link the client prints, a logged
 * model and its signature, two model versions side by side, and a preview of each artifact type
 * (untrusted Markdown, HTML and SVG never run script).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

let owner: Awaited<ReturnType<typeof seedOwner>>;
let ml: ReturnType<typeof mlflow>;

beforeAll(async () => {
  owner = await seedOwner();
  ml = mlflow(owner.token, owner.project.id);
}, 120_000);

afterAll(disconnect);

const trackingUri = () => `${inject('origin')}/api/v4/projects/${owner.project.id}/ml/mlflow`;
const CLIENT = process.env.MLFLOW_CLIENT_ENV ?? '/work/mlflow-client-env';

/**
 * Runs the real MLflow client (when it is installed here, see scripts/mlflow-client/) to log a
 * run, and returns the "View run … at: <url>" link it prints. Without the client, the link is
 * made exactly as its `_log_url` makes it: `<tracking uri>/#/experiments/<id>/runs/<run id>`.
 */
async function loggedRunLink(runName: string): Promise<{ runUrl: string; experimentUrl: string; printedByClient: boolean }> {
  if (existsSync(`${CLIENT}/src/mlflow`)) {
    const script = `import mlflow\nmlflow.set_experiment(${JSON.stringify(unique('printed-'))})\nwith mlflow.start_run(run_name=${JSON.stringify(runName)}):\n    mlflow.log_param("alpha", "0.5")\n`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      env: { ...process.env, PYTHONPATH: `${CLIENT}/src:${CLIENT}/deps`, MLFLOW_TRACKING_URI: trackingUri(), MLFLOW_TRACKING_TOKEN: owner.token, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    const runUrl = /View run .* at: (\S+)/.exec(stdout)?.[1];
    const experimentUrl = /View experiment at: (\S+)/.exec(stdout)?.[1];
    if (!runUrl || !experimentUrl) throw new Error(`the client printed no link:\n${stdout}`);
    return { runUrl, experimentUrl, printedByClient: true };
  }
  const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('printed-') });
  const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: runName, start_time: Date.now() });
  await ml('POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
  const experimentUrl = `${trackingUri()}/#/experiments/${experiment_id}`;
  return { runUrl: `${experimentUrl}/runs/${run.info.run_id}`, experimentUrl, printedByClient: false };
}

describe('the sign-in page', () => {
  it("labels the token field in words and tells how npm start's admin signs in", async () => {
    const { context, page } = await newPage();
    await page.goto('/-/sign_in');
    const field = page.getByLabel('Personal access token');
    expect(await field.getAttribute('type')).toBe('password');
    const hint = await page.locator('#token-hint').textContent();
    expect(hint).toContain('api scope');
    expect(hint).toContain('The admin root that npm start made signs in with the token npm start printed');
    await field.fill(inject('adminToken'));
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/-/sign_in'));
    await context.close();
  });
});

describe("the MLflow client's printed links", () => {
  it('lead a signed-out browser through sign-in to the run, and a signed-in one straight to the experiment', async () => {
    const { runUrl, experimentUrl } = await loggedRunLink('printed-run');
    expect(runUrl).toMatch(/\/ml\/mlflow\/#\/experiments\/\d+\/runs\/[0-9a-f]{32}$/);
    const { context, page } = await newPage();
    await page.goto(runUrl);
    await page.waitForURL(/\/-\/sign_in\?/);
    await page.getByLabel('Username').fill(owner.username);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/-\/ml\/candidates\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe('printed-run');
    expect(await page.locator('#params + .table-wrap').textContent()).toContain('alpha');
    await page.goto(experimentUrl);
    await page.waitForURL(/\/-\/ml\/experiments\/\d+$/);
    expect(await page.locator('#candidates').getByRole('link', { name: 'printed-run' }).count()).toBeGreaterThan(0);
    await context.close();
  });
});

/** Uploads a file to an artifact URI the way the MLflow client does. */
async function upload(artifactUri: string, path: string, body: string, type = 'text/plain') {
  const res = await fetch(`${artifactUri}/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${owner.token}`, 'content-type': type }, body });
  if (res.status !== 200) throw new Error(`upload ${path}: ${res.status} ${await res.text()}`);
}

const MLMODEL = (id: string) => `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.11.2
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.1
mlflow_version: 3.11.0
model_id: ${id}
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type": "long", "name": "petals", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
`;

/** A run that logs a model the way MLflow 3's `log_model` does: logged model, files, finalize, output. */
async function runWithModel(experimentId: string, runName: string, lr: string, accuracy: number) {
  const { run } = await ml('POST', 'runs/create', { experiment_id: experimentId, run_name: runName, start_time: Date.now() });
  const runId: string = run.info.run_id;
  await ml('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: lr }], metrics: [{ key: 'accuracy', value: accuracy, timestamp: Date.now(), step: 0 }] });
  const { model } = await ml('POST', 'logged-models', { experiment_id: experimentId, name: `${runName}-model`, model_type: 'sklearn', source_run_id: runId });
  const id: string = model.info.model_id;
  await upload(model.info.artifact_uri, 'MLmodel', MLMODEL(id));
  await upload(model.info.artifact_uri, 'input_example.json', '{"columns": ["sepal length (cm)", "petals"], "data": [[5.1, 3]]}');
  await ml('PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
  await ml('POST', 'runs/outputs', { run_id: runId, models: [{ model_id: id, step: 0 }] });
  await ml('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  return { runId, modelId: id };
}

/**
 * Two runs, each logging a model and registering it as the next version of `name`: with the real
 * MLflow 3 client when it is installed here (`initialize_logged_model`, `log_model_artifacts` with
 * an MLmodel and an input example as a flavor's `log_model` writes them, `finalize_logged_model`,
 * `register_model("models:/<model id>")`), else with the same requests made by hand.
 */
async function logAndRegisterModels(name: string): Promise<string> {
  const runs: [string, string, number][] = [
    ['run-a', '0.1', 0.81],
    ['run-b', '0.01', 0.93],
  ];
  if (existsSync(`${CLIENT}/src/mlflow`)) {
    const script = `import json, os, sys, tempfile, mlflow
from mlflow import MlflowClient
from mlflow.entities import LoggedModelStatus
client = MlflowClient()
experiment = mlflow.set_experiment(${JSON.stringify(unique('models-'))})
for run_name, lr, accuracy in json.loads(${JSON.stringify(JSON.stringify(runs))}):
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_param("lr", lr)
        mlflow.log_metric("accuracy", accuracy)
        model = mlflow.initialize_logged_model(name=run_name + "-model", source_run_id=run.info.run_id, model_type="sklearn")
        files = tempfile.mkdtemp()
        with open(os.path.join(files, "MLmodel"), "w") as f:
            f.write(${JSON.stringify(MLMODEL('MODEL_ID'))}.replace("MODEL_ID", model.model_id))
        with open(os.path.join(files, "input_example.json"), "w") as f:
            f.write('{"columns": ["sepal length (cm)", "petals"], "data": [[5.1, 3]]}')
        client.log_model_artifacts(model.model_id, files)
        mlflow.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
        mlflow.register_model("models:/" + model.model_id, ${JSON.stringify(name)})
print(experiment.experiment_id)
`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
      env: { ...process.env, PYTHONPATH: `${CLIENT}/src:${CLIENT}/deps`, MLFLOW_TRACKING_URI: trackingUri(), MLFLOW_TRACKING_TOKEN: owner.token, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    return stdout.trim().split('\n').pop()!;
  }
  const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('models-') });
  await ml('POST', 'registered-models/create', { name });
  for (const [runName, lr, accuracy] of runs) {
    const { runId, modelId } = await runWithModel(experiment_id, runName, lr, accuracy);
    await ml('POST', 'model-versions/create', { name, source: `models:/${modelId}`, run_id: runId, model_id: modelId });
  }
  return experiment_id;
}

describe('logged models and model versions in a browser', () => {
  it('opens a logged model from its run and reads its signature; compares two versions side by side', async () => {
    const name = unique('churn');
    const experiment_id = await logAndRegisterModels(name);

    const { context, page } = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    await page.locator('#candidates').getByRole('link', { name: 'run-b' }).first().click();
    await page.waitForURL(/\/-\/ml\/candidates\/\d+$/);
    await page.locator('#logged-models').getByRole('link', { name: 'run-b-model' }).click();
    await page.waitForURL(/\/-\/ml\/logged-models\/m-[0-9a-f]{32}$/);
    const inputs = page.locator('#signature-inputs tbody tr');
    expect(await inputs.count()).toBe(2);
    expect(await inputs.first().textContent()).toBe('sepal length (cm)doubleyes');
    expect(await page.locator('#signature-outputs').textContent()).toContain('tensor int64 (-1)');
    expect(await page.locator('#input-example').textContent()).toContain('"petals"');
    expect(await page.locator('#mlmodel').textContent()).toContain('sklearn 1.5.1');
    // linked both ways: to its run and to the version registered from it
    expect(await page.locator('#source-run').textContent()).toBe('run-b');
    await page.locator('#registered-versions').getByRole('link', { name: `${name} version 2` }).click();
    await page.waitForURL(`**/-/ml/models/${name}/versions/2`);
    expect(await page.locator('#source-candidate .source-name').textContent()).toBe('run-b');
    expect(await page.locator('#source-candidate .key-metrics').textContent()).toContain('accuracy 0.93');

    // the model's page: tick both versions, compare
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name }).click();
    await page.waitForURL(`**/-/ml/models/${name}`);
    await page.getByLabel('Compare version 1').check();
    await page.getByLabel('Compare version 2').check();
    await page.getByRole('button', { name: 'Compare selected versions' }).click();
    await page.waitForURL(`**/-/ml/models/${name}/compare?versions=*`);
    const table = page.locator('#version-compare');
    expect(await table.locator('thead').textContent()).toBe('VersionVersion 2Version 1');
    const lr = table.locator('tr', { has: page.locator('th', { hasText: /^lr$/ }) });
    expect(await lr.getAttribute('class')).toBe('differs');
    expect(await lr.locator('td').allTextContents()).toEqual(['0.01', '0.1']);
    expect(await table.locator('#compare-inputs').getAttribute('class')).toBeNull(); // same signature
    expect(await table.locator('#compare-inputs td').first().textContent()).toBe('sepal length (cm): double\npetals: long');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('artifact previews in a browser', () => {
  let candidateUrl: string;
  beforeAll(async () => {
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('previews-') });
    const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: 'previews', start_time: Date.now() });
    const uri: string = run.info.artifact_uri;
    const rows = ['step,loss', ...Array.from({ length: 45 }, (_, i) => `${i},${(1 / (i + 1)).toFixed(3)}`)].join('\n') + '\n';
    await upload(uri, 'history.csv', rows);
    await upload(uri, 'table.tsv', 'name\tscore\nalpha\t1\nbeta\t2\n');
    await upload(uri, 'report.md', '# Report\n\nAccuracy **0.93**.\n\n<script>window.__pwned = "md"</script>\n\n<img src="x" onerror="window.__pwned = \'md-img\'">\n\n[bad](javascript:window.__pwned=1)\n');
    await upload(uri, 'page.html', '<html><body><h1 id="framed">Framed report</h1><script>parent.__pwned = "html"; document.body.dataset.ran = "yes"</script><img src="x" onerror="document.body.dataset.ran = \'img\'"></body></html>', 'text/html');
    await upload(uri, 'plot.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/><script>parent.__pwned = "svg"</script></svg>', 'image/svg+xml');
    await upload(uri, 'config.json', '{"model": {"layers": [64, 32], "dropout": 0.1, "name": "mlp", "frozen": false, "head": null}}');
    await upload(uri, 'train.log', 'epoch 1\nepoch 2\nepoch 3\n');
    await upload(uri, 'summary.pdf', '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'application/pdf');
    await upload(uri, `<img src=x onerror="window.__pwned='name'">.txt`, 'named badly');
    const found = await ml('POST', 'runs/search', { experiment_ids: [experiment_id] });
    candidateUrl = `${owner.projectPath}/-/ml/candidates/${/ml_candidate_(\d+)/.exec(found.runs[0].info.artifact_uri)![1]}`;
  }, 120_000);

  it('shows each type beside the listing, and untrusted content never runs script', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(candidateUrl);
    const files = page.locator('#artifacts');
    expect(await files.locator('h2').textContent()).toBe('Files of this run');
    const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null);
    const open = async (name: string) => {
      await files.getByRole('link', { name, exact: true }).click();
      await expect.poll(() => files.locator('.preview .file-name').textContent()).toBe(name);
    };

    // CSV: 20 rows beside the listing, then more
    await open('history.csv');
    const rows = files.locator('table.csv-preview tbody tr');
    expect(await rows.count()).toBe(20);
    const list = await files.locator('.file-list').boundingBox();
    const preview = await files.locator('.preview').boundingBox();
    expect(preview!.x).toBeGreaterThan(list!.x + list!.width - 1); // beside, not below
    await files.getByRole('link', { name: 'Show more' }).click();
    await expect.poll(() => rows.count()).toBe(45);
    expect(await files.locator('.table-count').textContent()).toContain('All 45 rows.');
    expect(await files.locator('.preview .file-size').textContent()).toMatch(/B$/);
    expect(await files.locator('#download-line').textContent()).toMatch(/^mlflow\.artifacts\.download_artifacts\(run_id="[0-9a-f]{32}", artifact_path="history\.csv"\)$/);

    await open('table.tsv');
    expect(await files.locator('table.csv-preview tbody tr').count()).toBe(2);
    expect(await files.locator('table.csv-preview thead').textContent()).toBe('namescore');

    await open('config.json');
    const tree = files.locator('.json-tree');
    expect(await tree.locator('.json-leaf', { hasText: 'dropout' }).locator('.json-number').textContent()).toBe('0.1');
    expect(await tree.locator('.json-leaf', { hasText: 'frozen' }).locator('.json-boolean').textContent()).toBe('false');
    expect(await tree.locator('.json-leaf', { hasText: 'head' }).locator('.json-null').textContent()).toBe('null');
    const layers = tree.locator('details', { has: page.locator('summary', { hasText: 'layers' }) }).last();
    expect(await layers.getAttribute('open')).toBeNull(); // folded below the second level
    await layers.locator('summary').click();
    expect(await layers.locator('.json-number').first().isVisible()).toBe(true);

    await open('report.md');
    expect(await files.locator('.markdown h1').textContent()).toBe('Report');
    expect(await files.locator('.markdown strong').textContent()).toBe('0.93');
    expect(await files.locator('.markdown script, .markdown img[onerror]').count()).toBe(0);
    expect(await files.locator('.markdown a[href^="javascript"]').count()).toBe(0);

    await open('page.html');
    const frame = files.locator('iframe.preview-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const inner = page.frameLocator('#artifacts iframe.preview-frame');
    await expect.poll(() => inner.locator('#framed').textContent()).toBe('Framed report');
    await page.waitForTimeout(500);
    expect(await inner.locator('body').getAttribute('data-ran')).toBeNull();

    await open('plot.svg');
    const svg = files.locator('img.preview-image');
    await expect.poll(() => svg.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(10);

    await open('summary.pdf');
    const pdf = files.locator('iframe.preview-frame.pdf');
    const pdfResponse = await page.request.get(new URL((await pdf.getAttribute('src'))!, inject('origin')).href);
    expect(pdfResponse.headers()['content-type']).toBe('application/pdf');
    expect(pdfResponse.headers()['content-disposition']).toMatch(/^inline;/);

    await open('train.log');
    const lines = files.locator('pre.numbered .line');
    expect(await lines.count()).toBe(3);
    expect(await lines.nth(2).evaluate((el) => getComputedStyle(el, '::before').content)).not.toBe('none'); // the numbers are drawn, not copied

    // an untrusted file name is text
    await open(`<img src=x onerror="window.__pwned='name'">.txt`);
    await page.waitForTimeout(300);
    expect(await pwned()).toBeNull();
    await context.close();
  });
});
