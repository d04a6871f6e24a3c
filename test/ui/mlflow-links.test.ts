import { describe, expect, it } from 'vitest';
import { setFlag } from '../../src/flags/flags';
import { env } from 'cloudflare:workers';
import { seedProject, seedUser, unique } from '../helpers';
import { call, getPage, signIn } from './helpers';
import { mlflowPrefix } from '../api/mlflow/mlflow-helpers';
import { callJson } from '../helpers';

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const api = (method: string, path: string, json: unknown) => callJson(method, `${mlflowPrefix(project.id)}${path}`, { token, json });
  const experimentId: string = (await api('POST', '/experiments/create', { name: unique('exp') })).body.experiment_id;
  const run = (await api('POST', '/runs/create', { experiment_id: experimentId, run_name: 'bright-owl-7', start_time: 1 })).body.run.info;
  const browser = await signIn(token);
  const root = `/${project.namespace}/${project.path}`;
  return { user, token, project, api, experimentId, runId: run.run_id as string, browser, root };
}

/** Where `/-/ml/open/<ref>?to=<fragment>` sends the browser. */
async function opens(browser: { cookie: string } | null, ref: string | number, fragment: string) {
  const res = await getPage(browser as never, `/-/ml/open/${encodeURIComponent(String(ref))}?to=${encodeURIComponent(fragment)}`);
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get('location') };
}

describe('the links the MLflow client prints', () => {
  it('answers the tracking URI root with a page that forwards the fragment, for anyone, showing nothing of the project', async () => {
    const { project } = await setup();
    for (const path of [`/api/v4/projects/${project.id}/ml/mlflow/`, `/api/v4/projects/${project.id}/ml/mlflow`]) {
      const res = await call('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).toContain('<script src="/assets/mlflow-link.js"');
      expect(html).toContain(`<a id="open-link" href="/-/ml/open/${project.id}">`);
      expect(html).not.toContain(project.name);
    }
    // the API under it is still the API
    const api = await call('GET', `${mlflowPrefix(project.id)}/experiments/get?experiment_id=0`);
    expect(api.headers.get('content-type')).toMatch(/json/);
    await api.arrayBuffer();
  });

  it('resolves run, experiment, logged model and registry fragments to their pages', async () => {
    const { project, api, experimentId, runId, browser, root } = await setup();
    const run = await opens(browser, project.id, `/experiments/${experimentId}/runs/${runId}`);
    expect(run.status).toBe(303);
    expect(run.location).toMatch(new RegExp(`^${root}/-/ml/candidates/\\d+$`));
    const detail = await (await getPage(browser, run.location!)).text();
    expect(detail).toContain('<h1>bright-owl-7</h1>');
    // MLflow UI tabs after the run id, and the project by its path
    expect((await opens(browser, `${project.namespace}/${project.path}`, `/experiments/${experimentId}/runs/${runId}/artifacts/model`)).location).toBe(run.location);
    expect((await opens(browser, project.id, `/experiments/${experimentId}`)).location).toBe(`${root}/-/ml/experiments/${experimentId}`);
    expect((await opens(browser, project.id, `/experiments/${experimentId}/overview`)).location).toBe(`${root}/-/ml/experiments/${experimentId}`);
    const model = (await api('POST', '/logged-models', { experiment_id: experimentId, name: 'clf', source_run_id: runId })).body.model.info.model_id;
    expect((await opens(browser, project.id, `/experiments/${experimentId}/models/${model}`)).location).toBe(`${root}/-/ml/logged-models/${model}`);
    expect((await opens(browser, project.id, '/models/my%20model/versions/3')).location).toBe(`${root}/-/ml/models/my%20model/versions/3`);
    expect((await opens(browser, project.id, '/models/my%20model')).location).toBe(`${root}/-/ml/models/my%20model`);
    expect((await opens(browser, project.id, '/models')).location).toBe(`${root}/-/ml/models`);
    const compare = await opens(browser, project.id, `/compare-model-versions?name=${encodeURIComponent('"m"')}&runs=${encodeURIComponent('{"abc":"1","def":"2"}')}`);
    expect(compare.location).toBe(`${root}/-/ml/models/m/compare?versions=1%2C2`);
    expect((await opens(browser, project.id, '')).location).toBe(`${root}/-/ml/experiments`);
    expect((await opens(browser, project.id, '/settings')).location).toBe(`${root}/-/ml/experiments`);
  });

  it('sends a signed-out visitor through sign-in and back with the fragment; 404s what is not there or not theirs', async () => {
    const { project, experimentId, runId, browser } = await setup();
    const anonymous = await opens(null, project.id, `/experiments/${experimentId}/runs/${runId}`);
    expect(anonymous.status).toBe(303);
    const signInUrl = new URL(anonymous.location!, 'http://x');
    expect(signInUrl.pathname).toBe('/-/sign_in');
    expect(signInUrl.searchParams.get('return_to')).toBe(`/-/ml/open/${project.id}?to=${encodeURIComponent(`/experiments/${experimentId}/runs/${runId}`)}`);
    expect((await opens(browser, project.id, `/experiments/${experimentId}/runs/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await opens(browser, project.id, '/experiments/999999')).status).toBe(404);
    expect((await opens(browser, project.id, '/experiments/<script>')).status).toBe(404);
    const stranger = await signIn((await seedUser()).token);
    expect((await opens(stranger, project.id, `/experiments/${experimentId}/runs/${runId}`)).status).toBe(404);
    await setFlag(env.FLAGS, 'ml_experiment_tracking', false, project.id);
    expect((await opens(browser, project.id, `/experiments/${experimentId}`)).status).toBe(404);
  });
});
