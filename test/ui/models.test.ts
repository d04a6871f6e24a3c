import { describe, expect, it } from 'vitest';
import { AccessLevel } from '../../src/access/policy';
import { getModelVersion } from '../../src/tracking/registry/versions';
import { getRegisteredModel } from '../../src/tracking/registry/models';
import { call as apiCall, db, seedMember, seedProject, seedUser, unique } from '../helpers';
import { getPage, postForm, signIn, type Browser } from './helpers';
import { seedCandidate, seedExperiment } from './seed';

const XSS = '<script>alert(1)</script>';

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const experiment = await seedExperiment(project.id, 'reg experiment');
  const browser = await signIn(token);
  const root = `/${project.namespace}/${project.path}`;
  const models = `${root}/-/ml/models`;
  return { user, token, project, experiment, browser, root, models };
}

/** Posts a form as the signed-in browser (with its CSRF token unless `csrf: false`). */
function post(browser: Browser, path: string, fields: Record<string, string>, opts: { csrf?: boolean } = {}) {
  return postForm(path, opts.csrf === false ? fields : { ...fields, _csrf: browser.csrf }, { cookie: browser.cookie });
}

describe('Model registry pages', () => {
  it('promotes a candidate to version 1 of a new model, then version 2, each linking back to the candidate', async () => {
    const { project, experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment, { name: 'best-run' });
    const detail = await (await getPage(browser, `${root}/-/ml/candidates/${cand.id}`)).text();
    expect(detail).toContain(`href="${root}/-/ml/candidates/${cand.id}/promote">Promote to model version</a>`);
    expect(detail).toContain('Not promoted to a model version yet.');
    const form = await getPage(browser, `${root}/-/ml/candidates/${cand.id}/promote`);
    expect(form.status).toBe(200);
    const name = unique('model');
    const res = await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name, artifact_path: 'model', description: 'first cut' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${models}/${name}/versions/1`);
    const v1 = await getModelVersion(db(), project.id, name, 1);
    expect(v1.candidateId).toBe(cand.id);
    expect(v1.source).toBe(`runs:/${cand.runId}/model`);
    expect(v1.description).toBe('first cut');
    const page = await (await getPage(browser, `${models}/${name}/versions/1`)).text();
    // the source candidate by its name (not its 32-character run id)
    expect(page).toContain(`<dd id="source-candidate"><div class="version-source"><a href="${root}/-/ml/candidates/${cand.id}" class="source-name">best-run</a></div></dd>`);
    expect(page).toContain('first cut');
    // again, into the same model: version 2
    const again = await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name });
    expect(again.headers.get('location')).toBe(`${models}/${name}/versions/2`);
    const modelPage = await (await getPage(browser, `${models}/${name}`)).text();
    expect(modelPage).toMatch(new RegExp(`Version 2</a>[^]*href="${root}/-/ml/candidates/${cand.id}">best-run</a>[^]*Version 1</a>`));
    const detailAfter = await (await getPage(browser, `${root}/-/ml/candidates/${cand.id}`)).text();
    expect(detailAfter).toContain(`href="${models}/${name}/versions/2">${name} version 2</a>`);
    // the list shows the model with its latest version
    const list = await (await getPage(browser, models)).text();
    expect(list).toContain(`<a href="${models}/${name}">${name}</a>`);
    expect(list).toContain(`href="${models}/${name}/versions/2">Version 2</a>`);
  });

  it("lists the version's artifacts from its candidate's package, with download links", async () => {
    const { token, project, experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment);
    const upload = await apiCall('PUT', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_candidate_${cand.id}/-/model/MLmodel`, {
      token,
      body: 'flavors: {}',
    });
    expect(upload.status).toBe(200);
    const name = unique('model');
    await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name, artifact_path: 'model' });
    const html = await (await getPage(browser, `${models}/${name}/versions/1`)).text();
    // whose files they are in plain words (the package is named on the packages pages only)
    expect(html).toContain(`<p id="version-files">Files of run <a href="${root}/-/ml/candidates/${cand.id}#artifacts">${cand.name || cand.runId}</a>, under <code>model</code>.</p>`);
    expect(html).not.toContain(`>ml_candidate_${cand.id}</a>`);
    expect(html).toContain(`<a href="/api/v4/projects/${project.id}/packages/generic/ml_candidate_${cand.id}/-/model/MLmodel" download="" aria-label="Download MLmodel">Download</a>`);
    expect(html).toContain(`<a href="${root}/-/ml/candidates/${cand.id}?file=model%2FMLmodel#artifacts">MLmodel</a>`);
    expect(html).toContain(`/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_candidate_${cand.id}/-/model</code>`);
  });

  it('shows a refused promotion in place, with what was typed', async () => {
    const { experiment, browser, root } = await setup();
    const cand = await seedCandidate(experiment);
    const res = await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: 'bad/name', description: 'keep me' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/<p class="alert" role="alert" id="promote-error">Invalid model name &#39;bad\/name&#39;/);
    expect(html).toContain('value="bad/name"');
    expect(html).toContain('keep me</textarea>');
  });

  it('sets and removes aliases, tags and the description; refuses a bad alias in place', async () => {
    const { project, experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment);
    const name = unique('model');
    await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name });
    const self = `${models}/${name}`;
    expect((await post(browser, `${self}/aliases`, { alias: 'champion', version: '1' })).status).toBe(303);
    expect((await post(browser, `${self}/tags`, { key: 'team', value: 'vision' })).status).toBe(303);
    expect((await post(browser, `${self}/description`, { description: 'Detects cats.' })).status).toBe(303);
    expect((await post(browser, `${self}/versions/1/tags`, { key: 'validated', value: 'yes' })).status).toBe(303);
    expect((await post(browser, `${self}/versions/1/description`, { description: 'v1 notes' })).status).toBe(303);
    const model = await getRegisteredModel(db(), project.id, name);
    expect(model.aliases).toEqual([{ alias: 'champion', version: 1 }]);
    expect(model.tags).toEqual([{ key: 'team', value: 'vision' }]);
    expect(model.description).toBe('Detects cats.');
    const html = await (await getPage(browser, self)).text();
    expect(html).toContain('<span class="alias">@champion </span>');
    expect(html).toContain('Detects cats.</textarea>');
    const version = await (await getPage(browser, `${self}/versions/1`)).text();
    expect(version).toContain('<dd id="version-aliases"><span class="alias">@champion </span></dd>');
    expect(version).toContain('validated');
    expect(version).toContain('v1 notes');
    const list = await (await getPage(browser, models)).text();
    expect(list).toContain('@champion → v1');

    const bad = await post(browser, `${self}/aliases`, { alias: 'latest', version: '1' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/id="alias-error">&#39;latest&#39; alias name \(case insensitive\) is reserved./);
    const missing = await post(browser, `${self}/aliases`, { alias: 'next', version: '9' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('id="alias-error">Model Version');

    expect((await post(browser, `${self}/aliases/delete`, { alias: 'champion' })).status).toBe(303);
    expect((await post(browser, `${self}/tags/delete`, { key: 'team' })).status).toBe(303);
    const after = await getRegisteredModel(db(), project.id, name);
    expect(after.aliases).toEqual([]);
    expect(after.tags).toEqual([]);
  });

  it('deletes a version and a model after a confirmation page', async () => {
    const { project, experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment);
    const name = unique('model');
    await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name });
    await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name });
    const confirm = await (await getPage(browser, `${models}/${name}/versions/2/delete`)).text();
    expect(confirm).toContain(`Delete <strong>${name} version 2</strong>?`);
    expect(confirm).toContain(`action="${models}/${name}/versions/2/delete"`);
    const gone = await post(browser, `${models}/${name}/versions/2/delete`, {});
    expect(gone.headers.get('location')).toBe(`${models}/${name}`);
    await expect(getModelVersion(db(), project.id, name, 2)).rejects.toThrow('not found');
    expect((await getPage(browser, `${models}/${name}/delete`)).status).toBe(200);
    const res = await post(browser, `${models}/${name}/delete`, {});
    expect(res.headers.get('location')).toBe(models);
    expect((await getPage(browser, `${models}/${name}`)).status).toBe(404);
  });

  it('searches models by name, answering htmx with the fragment', async () => {
    const { browser, models } = await setup();
    const tag = unique('zebra');
    for (const n of [`${tag}-one`, `${tag}-two`, unique('other')]) expect((await post(browser, models, { name: n })).status).toBe(303);
    const res = await getPage(browser, `${models}?name=${tag}`, { htmx: true });
    const html = await res.text();
    expect(html.startsWith('<div id="models"')).toBe(true);
    expect(html).toContain(`${tag}-one`);
    expect(html).toContain(`${tag}-two`);
    expect(html).not.toContain('other');
    expect(html.indexOf(`${tag}-one`)).toBeLessThan(html.indexOf(`${tag}-two`));
    // sorted by last update, the one just edited comes first
    expect((await post(browser, `${models}/${tag}-two/description`, { description: 'edited' })).status).toBe(303);
    const byUpdate = await (await getPage(browser, `${models}?name=${tag}&sort=updated`)).text();
    expect(byUpdate.indexOf(`${tag}-two`)).toBeLessThan(byUpdate.indexOf(`${tag}-one`));
    expect(byUpdate).toMatch(/<option value="updated" selected="">Last updated<\/option>/);
    const dup = await post(browser, models, { name: `${tag}-one` });
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain('id="create-error">Registered Model (name=');
  });

  it('escapes hostile model names, tags and descriptions', async () => {
    const { experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment, { name: XSS });
    // a model name may not hold '/', so its payload is an image tag
    const name = `<img src=x onerror=alert(1)>${unique()}`;
    expect((await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name, description: XSS })).status).toBe(303);
    const self = `${models}/${encodeURIComponent(name)}`;
    await post(browser, `${self}/tags`, { key: 'note', value: XSS });
    await post(browser, `${self}/description`, { description: XSS });
    for (const path of [models, self, `${self}/versions/1`, `${self}/delete`, `${root}/-/ml/candidates/${cand.id}/promote`]) {
      const html = await (await getPage(browser, path)).text();
      expect(html, path).not.toContain(XSS);
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).toContain(path.endsWith('/promote') ? '&lt;script&gt;' : '&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('shows model and version descriptions as Markdown, with raw HTML as text and no javascript: links', async () => {
    const { experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment, { name: 'md-run' });
    const name = unique('md');
    await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name });
    const text = `## Churn model\n\nTrained on **Q3** data. ${XSS}\n\n<img src=x onerror=alert(2)>\n\n[docs](javascript:alert(3))`;
    await post(browser, `${models}/${name}/description`, { description: text });
    await post(browser, `${models}/${name}/versions/1/description`, { description: text });
    for (const path of [`${models}/${name}`, `${models}/${name}/versions/1`]) {
      const html = await (await getPage(browser, path)).text();
      expect(html, path).toContain('<div class="markdown" id="description-text"><h2>Churn model</h2>\n<p>Trained on <strong>Q3</strong> data. &lt;script&gt;alert(1)&lt;/script&gt;</p>');
      expect(html, path).not.toContain(XSS);
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).not.toContain('href="javascript:');
    }
  });

  it('shows a reporter no edit controls and refuses their posts (403); a post without the CSRF token is refused', async () => {
    const { project, experiment, browser, root, models } = await setup();
    const cand = await seedCandidate(experiment);
    const name = unique('model');
    await post(browser, `${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name });
    const reporter = await seedUser();
    await seedMember(project.id, reporter.user.id, AccessLevel.reporter);
    const r = await signIn(reporter.token);
    for (const path of [models, `${models}/${name}`, `${models}/${name}/versions/1`, `${root}/-/ml/candidates/${cand.id}`]) {
      const res = await getPage(r, path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).not.toContain(`method="post" action="${root}`);
      expect(html, path).not.toContain('Promote to model version</a>');
      expect(html, path).not.toContain('Delete');
    }
    expect((await getPage(r, `${root}/-/ml/candidates/${cand.id}/promote`)).status).toBe(403);
    expect((await getPage(r, `${models}/${name}/delete`)).status).toBe(403);
    for (const [path, fields] of [
      [`${root}/-/ml/candidates/${cand.id}/promote`, { model_name: name }],
      [`${models}/${name}/aliases`, { alias: 'x', version: '1' }],
      [`${models}/${name}/versions/1/delete`, {}],
      [`${models}/${name}/delete`, {}],
      [models, { name: unique('m') }],
    ] as const) {
      const res = await post(r, path, fields);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('Not allowed');
    }
    // the owner without the CSRF token
    const noCsrf = await post(browser, `${models}/${name}/delete`, {}, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await getRegisteredModel(db(), project.id, name)).latestVersions.map((v) => v.version)).toEqual([1]);
  });

  it('links Models next to Experiments only with the flag on; the pages are 404 with it off', async () => {
    const { browser, root } = await setup();
    const overview = await (await getPage(browser, root)).text();
    expect(overview).toContain(`<a href="${root}/-/ml/models">Models</a>`);
    const { user, token } = await seedUser();
    const off = await seedProject(user.id, { ml: false });
    const b = await signIn(token);
    const offRoot = `/${off.namespace}/${off.path}`;
    expect(await (await getPage(b, offRoot)).text()).not.toContain('Models</a>');
    expect((await getPage(b, `${offRoot}/-/ml/models`)).status).toBe(404);
  });
});
