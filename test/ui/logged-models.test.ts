import { describe, expect, it } from 'vitest';
import { seedProject, seedUser } from '../helpers';
import { getPage, signIn } from './helpers';
import { experimentAndRun, logRun, logSklearnModel, mlflowApi } from './mlmodel-fixture';

const XSS = '<script>alert(1)</script>';

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const browser = await signIn(token);
  const root = `/${project.namespace}/${project.path}`;
  return { user, token, project, browser, root, api: mlflowApi(project.id, token) };
}

describe('logged models (MLflow 3) in the UI', () => {
  it('shows a logged model: its run by name, params, metrics, flavors, signature, input example, files and versions', async () => {
    const { project, token, browser, root, api } = await setup();
    const { experimentId, runId } = await experimentAndRun(project.id, token, { name: 'iris-run', params: { C: '0.5' } });
    const id = await logSklearnModel(project.id, token, experimentId, runId, { name: 'iris-clf', inputName: `x ${XSS}` });
    await api('POST', '/registered-models/create', { name: 'iris' });
    const created = await api('POST', '/model-versions/create', { name: 'iris', source: `models:/${id}`, run_id: runId, model_id: id });
    expect(created.status).toBe(200);

    const res = await getPage(browser, `${root}/-/ml/logged-models/${id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>iris-clf <span class="muted">logged model</span></h1>');
    expect(html).toMatch(new RegExp(`<dd id="source-run"><a href="${root}/-/ml/candidates/\\d+">iris-run</a></dd>`));
    expect(html).toContain('<td class="text">max_iter</td><td class="text">200</td>');
    expect(html).toMatch(/<td class="text">accuracy<\/td><td class="num"><span title="0.96">0.96<\/span><\/td>/);
    expect(html).toContain('<code class="flavor">python_function</code>');
    expect(html).toContain('<code class="flavor">sklearn</code><span class="muted"> 1.5.1</span>');
    // the signature: names and types, an untrusted column name as text
    expect(html).toContain('<td class="text">x &lt;script&gt;alert(1)&lt;/script&gt;</td><td class="text"><code>double</code></td><td>yes</td>');
    expect(html).toContain('<td class="text">petal width (cm)</td><td class="text"><code>double</code></td><td>no</td>');
    expect(html).toContain('<code>tensor int64 (-1)</code>');
    expect(html).not.toContain(XSS);
    expect(html).toContain('<pre class="preview" id="input-example">{&quot;columns&quot;:');
    expect(html).toContain('>Files of this model</h2>');
    expect(html).toMatch(/>MLmodel<\/a>/);
    expect(html).toContain(`<dd id="registered-versions"><ul class="inline-list"><li><a href="${root}/-/ml/models/iris/versions/1">iris version 1</a></li></ul></dd>`);
    // a file of the model previewed on the model's page, with the client's download line
    const file = await (await getPage(browser, `${root}/-/ml/logged-models/${id}?file=input_example.json`)).text();
    expect(file).toContain('<span class="json-key">columns: </span>');
    expect(file).toMatch(/mlflow\.artifacts\.download_artifacts\(artifact_uri=&quot;http:\/\/flaretrack\.test\/api\/v4\/projects\/\d+\/ml\/mlflow\/api\/2\.0\/mlflow-artifacts\/artifacts\/ml_model_\d+\/-\/input_example\.json&quot;\)/);
  });

  it('links the model from its run and its experiment, and the version back to the model and its run', async () => {
    const { project, token, browser, root, api } = await setup();
    const { experimentId, runId } = await experimentAndRun(project.id, token, { name: 'iris-run' });
    const id = await logSklearnModel(project.id, token, experimentId, runId, { name: 'iris-clf' });
    const run = await (await getPage(browser, `${root}/-/ml/experiments/${experimentId}`)).text();
    expect(run).toContain('<h2 id="logged-models-title">Logged models</h2>');
    expect(run).toContain(`<a href="${root}/-/ml/logged-models/${id}">iris-clf</a>`);
    const candidateHref = /href="([^"]+\/-\/ml\/candidates\/\d+)"/.exec((await (await getPage(browser, `${root}/-/ml/logged-models/${id}`)).text()))![1];
    const detail = await (await getPage(browser, candidateHref)).text();
    expect(detail).toContain(`<a href="${root}/-/ml/logged-models/${id}">iris-clf</a>`);
    expect(detail).toContain('<a href="#logged-models">iris-clf</a>');
    await api('POST', '/registered-models/create', { name: 'iris' });
    await api('POST', '/model-versions/create', { name: 'iris', source: `models:/${id}`, run_id: runId, model_id: id });
    const version = await (await getPage(browser, `${root}/-/ml/models/iris/versions/1`)).text();
    expect(version).toContain(`<a href="${root}/-/ml/logged-models/${id}">logged model iris-clf</a>`);
    expect(version).toContain(`<a href="${candidateHref}" class="source-name">iris-run</a>`);
    // its files are the logged model's, in plain words, and open in the model's file browser (no package named)
    expect(version).toContain(`<p id="version-files">Files of logged model <a href="${root}/-/ml/logged-models/${id}#artifacts">iris-clf</a>.</p>`);
    expect(version).toContain(`<a href="${root}/-/ml/logged-models/${id}?file=MLmodel#artifacts">MLmodel</a>`);
    expect(version).not.toMatch(/ml_model_\d+<\/a>/);
  });

  it('is 404 for a model of another project or a deleted one; a model without files says so', async () => {
    const { project, token, browser, root, api } = await setup();
    const { experimentId, runId } = await experimentAndRun(project.id, token, { name: 'r' });
    const bare = (await api('POST', '/logged-models', { experiment_id: experimentId, name: `bare ${XSS}`, source_run_id: runId })).body.model.info.model_id;
    const html = await (await getPage(browser, `${root}/-/ml/logged-models/${bare}`)).text();
    expect(html).toContain('No MLmodel file');
    expect(html).toContain('No files uploaded for this model yet.');
    expect(html).not.toContain(XSS);
    const other = await setup();
    const res = await getPage(other.browser, `${other.root}/-/ml/logged-models/${bare}`);
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    await api('DELETE', `/logged-models/${bare}`);
    const gone = await getPage(browser, `${root}/-/ml/logged-models/${bare}`);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();
  });
});

describe('model versions with context', () => {
  it('shows each version with its source candidate by name and key metrics, and compares versions side by side', async () => {
    const { project, token, browser, root, api } = await setup();
    const { experimentId, runId: first } = await experimentAndRun(project.id, token, { name: 'run-small', params: { lr: '0.1', depth: '3' }, metrics: { accuracy: 0.81, loss: 0.5 } });
    const second = await logRun(project.id, token, experimentId, { name: 'run-big', params: { lr: '0.01', depth: '3' }, metrics: { accuracy: 0.93, loss: 0.2 } });
    const id = await logSklearnModel(project.id, token, experimentId, second, { name: 'big-clf', accuracy: 0.93 });
    await api('POST', '/registered-models/create', { name: 'churn' });
    await api('POST', '/model-versions/create', { name: 'churn', source: `runs:/${first}/model`, run_id: first });
    await api('POST', '/model-versions/create', { name: 'churn', source: `models:/${id}`, run_id: second, model_id: id });

    const v1 = await (await getPage(browser, `${root}/-/ml/models/churn/versions/1`)).text();
    expect(v1).toMatch(/class="source-name">run-small<\/a>/);
    expect(v1).toContain('<li><span class="muted">accuracy</span> <span title="0.81">0.81</span></li>');
    expect(v1).not.toMatch(/[0-9a-f]{32}<\/a>/);

    const res = await getPage(browser, `${root}/-/ml/models/churn/compare?versions=1,2`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<a href="${root}/-/ml/models/churn/versions/1">Version 1</a>`);
    expect(html).toContain(`<a href="${root}/-/ml/models/churn/versions/2">Version 2</a>`);
    expect(html).toContain('<tr class="differs"><th scope="row">lr</th><td class="text">0.1</td><td class="text">0.01</td></tr>');
    expect(html).toContain('<tr><th scope="row">depth</th><td class="text">3</td><td class="text">3</td></tr>');
    expect(html).toMatch(/<tr class="differs"><th scope="row">accuracy<\/th><td class="num"><span title="0.81">0.81<\/span><\/td><td class="num"><span title="0.93">0.93<\/span><\/td><\/tr>/);
    // version 2 has the logged model's signature, version 1 none
    expect(html).toMatch(/<tr class="differs" id="compare-inputs"><th scope="row">Inputs<\/th><td class="text"><span class="muted">none<\/span><\/td><td class="text"><pre class="sig">sepal length \(cm\): double\npetal width \(cm\): double<\/pre><\/td><\/tr>/);

    const one = await getPage(browser, `${root}/-/ml/models/churn/compare?versions=1`);
    expect(one.status).toBe(400);
    expect(await one.text()).toContain('Pick at least two versions to compare.');
    const missing = await getPage(browser, `${root}/-/ml/models/churn/compare?versions=1,9`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
    const bad = await getPage(browser, `${root}/-/ml/models/churn/compare?versions=1,x`);
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
  });
});
