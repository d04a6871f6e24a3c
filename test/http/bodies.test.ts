import { describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/http/mount';
import { routes } from '../../src/http/routes';
import { call, callJson, seedProject, seedUser, unique } from '../helpers';
import { signIn } from '../ui/helpers';
import { experimentWithRun, mlflowProject } from '../api/mlflow/mlflow-helpers';

const enc = new TextEncoder();

/** A body that never ends on its own (up to 32 MiB): how much of it the worker pulled is counted. */
function endless(prefix = '') {
  const counter = { pulled: 0 };
  const chunk = enc.encode('x'.repeat(64 * 1024));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (prefix) controller.enqueue(enc.encode(prefix));
    },
    pull(controller) {
      counter.pulled += chunk.length;
      if (counter.pulled > 32 * 1024 * 1024) return controller.close();
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

const MiB = 1024 * 1024;

describe('request bodies are bounded while they stream, on every route', () => {
  it('stops reading an anonymous sign-in POST at 64 KiB and answers a 413 page', async () => {
    const { stream, counter } = endless('username=root&password=');
    const res = await call('POST', '/-/sign_in', { body: stream, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/request body exceeds 65536 bytes/);
    expect(counter.pulled).toBeLessThan(256 * 1024);
    // an announced length over the bound is refused before a byte is read
    const announced = await call('POST', '/-/sign_in', { body: 'x'.repeat(70_000), headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '100000000' } });
    expect(announced.status).toBe(413);
  });

  it('answers every declared route that takes a body with 413 in its protocol shape once past its bound (1 MiB unless declared); only uploads stream', async () => {
    const params = { id: 1, namespace: 'ns', project: 'p', iid: 1, candidate_id: 1, name: 'n', version: 1, upload_id: 'u', part_number: 1, package_id: 1, file_id: 1, model_id: 'm', tag_key: 't', trace_id: 't', assessment_id: 'a', user_id: 1 };
    const answers: string[] = [];
    for (const route of declaredRoutes()) {
      if (route.body === 'stream') continue;
      for (const method of route.methods) {
        if (method === 'GET') continue;
        const verb = method === 'ALL' ? 'POST' : method;
        const path = (route.link as (p: object, rest: string) => string)(params, 'a/b');
        const { stream, counter } = endless();
        const res = await call(verb, path, { body: stream, headers: { 'content-type': route.protocol === 'html' ? 'application/x-www-form-urlencoded' : 'application/json' } });
        const text = await res.text();
        const shape = route.protocol === 'html' ? (/^<!doctype html>/i.test(text) ? 'page' : text.slice(0, 80)) : Object.keys(JSON.parse(text)).join(',');
        const bound = route.body.bytes;
        answers.push(`${verb} ${route.path} ${res.status} ${shape} ${counter.pulled <= bound + 128 * 1024 && bound <= 4 * MiB ? 'bounded' : `read ${counter.pulled} of ${bound}`}`);
      }
    }
    const expected = (line: string) => {
      const [verb, path] = line.split(' ');
      const route = declaredRoutes().find((r) => r.path === path)!;
      if (route === routes.mlflow.runs.logBatch) return `${verb} ${path} 400 error_code,message bounded`;
      return `${verb} ${path} 413 ${{ mlflow: 'error_code,message', gitlab: 'message', html: 'page' }[route.protocol]} bounded`;
    };
    expect(answers).toEqual(answers.map(expected));
    expect(answers.length).toBeGreaterThan(80);
    // what streams: the uploads to R2, under their own limits (src/packages)
    expect(declaredRoutes().filter((r) => r.body === 'stream')).toEqual([routes.mlflow.traces.upload, routes.mlflow.artifacts.uploadPart, routes.mlflow.artifacts.upload, routes.packagesApi.upload]);
  });

  it("admits what a route's own field limits allow: a dataset schema of MLflow's 1,048,575 characters", async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const column = '{"type": "double", "name": "c", "required": true}, ';
    const schema = `{"mlflow_colspec": [${column.repeat(Math.floor((1048575 - 40) / column.length))}]}`.padEnd(1048575, ' ');
    const res = await api('POST', '/runs/log-inputs', { run_id: runId, datasets: [{ dataset: { name: 'wide', digest: 'd1', source_type: 'local', source: '{}', schema } }] });
    expect(res.status).toBe(200);
    const run = (await api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.inputs.dataset_inputs[0].dataset.schema).toBe(schema);
  });

  it('creates nothing from a GitLab or form body that passes the bound', async () => {
    const { token } = await seedUser({ admin: true });
    const path = unique('p');
    const { stream } = endless(`{"path":"${path}","description":"`);
    const res = await callJson('POST', '/api/v4/projects', { token, body: stream, headers: { 'content-type': 'application/json' } });
    expect(res).toEqual({ status: 413, body: { message: 'request body exceeds 1048576 bytes' } });
    const form = endless(`path=${path}&description=`);
    expect((await call('POST', '/api/v4/projects', { token, body: form.stream, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(413);
    const list = await callJson('GET', `/api/v4/projects?per_page=100`, { token });
    expect(list.body.map((p: { path: string }) => p.path)).not.toContain(path);
    // a signed-in browser's form (its CSRF token read from the bounded body): a 413 page, no experiment
    const { user, token: owner } = await seedUser();
    const project = await seedProject(user.id);
    const browser = await signIn(owner);
    const name = unique('exp');
    const experimentForm = endless(`_csrf=${browser.csrf}&name=${name}&description=`);
    const create = routes.ui.createExperiment.link({ namespace: project.namespace, project: project.path });
    const page = await call('POST', create, { body: experimentForm.stream, headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(page.status).toBe(413);
    const search = await callJson('GET', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`, { token: owner });
    expect(search.status).toBe(404);
  });
});

describe('bodies a client did not mean are refused with 400, never a 500 or altered text', () => {
  it('refuses invalid UTF-8 in GitLab JSON and form bodies and stores nothing', async () => {
    const { token } = await seedUser({ admin: true });
    const username = unique('u');
    const json = new Uint8Array([...enc.encode(`{"username":"${username}","name":"A`), 0xff, ...enc.encode(`","email":"${username}@example.com","password":"long enough password"}`)]);
    const res = await callJson('POST', '/api/v4/users', { token, body: json, headers: { 'content-type': 'application/json' } });
    expect(res).toEqual({ status: 400, body: { message: 'request body is not valid UTF-8' } });
    const surrogate = await callJson('POST', '/api/v4/users', { token, json: undefined, body: `{"username":"${username}","name":"A\\ud800","email":"${username}@example.com"}`, headers: { 'content-type': 'application/json' } });
    expect(surrogate.status).toBe(400);
    for (const bad of ['%FF', '%ED%A0%80', '%C3']) {
      const form = await callJson('POST', '/api/v4/users', { token, body: `username=${username}&name=A${bad}&email=${username}%40example.com`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect([bad, form.status]).toEqual([bad, 400]);
    }
    // a stray % (curl sends it unescaped) is no encoding error
    const percent = await callJson('POST', '/api/v4/users', { token, body: `username=${username}&name=100%&email=${username}%40example.com&password=long+enough+password`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(percent.status).toBe(201);
  });

  it('answers a malformed multipart form with 400 on the API, the sign-in form and a signed-in form', async () => {
    const { user, token } = await seedUser({ admin: true });
    const broken = { body: '--xx\r\nfoo', headers: { 'content-type': 'multipart/form-data; boundary=xx' } };
    const api = await callJson('POST', '/api/v4/projects', { token, ...broken });
    expect(api.status).toBe(400);
    expect(api.body.message).toMatch(/not a valid form/);
    const noBoundary = await callJson('POST', '/api/v4/projects', { token, body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    expect(noBoundary.status).toBe(400);
    expect((await call('POST', '/-/sign_in', broken)).status).toBe(400);
    const project = await seedProject(user.id);
    const browser = await signIn(token);
    const create = routes.ui.createExperiment.link({ namespace: project.namespace, project: project.path });
    expect((await call('POST', create, { body: broken.body, headers: { ...broken.headers, cookie: browser.cookie } })).status).toBe(400);
  });
});
