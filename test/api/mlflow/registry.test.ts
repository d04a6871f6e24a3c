import { describe, expect, it } from 'vitest';
import { AccessLevel } from '../../../src/access/policy';
import { call, callJson, seedMember, seedUser, unique } from '../../helpers';
import { seedCandidate, seedLoggedModel, seedOwnedProject } from '../../tracking/registry/seed';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

const api = (project: { id: number }) => `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow`;
const ORIGIN = 'http://flaretrack.test';
const qs = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) params.append(k, one);
  return `?${params}`;
};

async function setup() {
  const { owner, project } = await seedOwnedProject();
  const candidate = await seedCandidate(project.id);
  const base = api(project);
  const token = owner.token;
  const post = (path: string, json: unknown) => callJson('POST', `${base}${path}`, { token, json });
  const patch = (path: string, json: unknown) => callJson('PATCH', `${base}${path}`, { token, json });
  const del = (path: string, json: unknown) => callJson('DELETE', `${base}${path}`, { token, json });
  const get = (path: string, fields: Record<string, string | string[]>) => callJson('GET', `${base}${path}${qs(fields)}`, { token });
  return { owner, project, candidate, base, token, post, patch, del, get };
}

describe('MLflow registered-models and model-versions', () => {
  it('follow the recorded workflow: create, version from a run, get, alias, update, tag, download', async () => {
    const { project, candidate, post, patch, del, get } = await setup();
    const name = unique('demo-model');

    const created = await post('/registered-models/create', { name, tags: [{ key: 'k', value: 'v' }], description: 'demo' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      registered_model: { name, creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number), description: 'demo', tags: [{ key: 'k', value: 'v' }] },
    });

    const again = await post('/registered-models/create', { name });
    expect(again).toEqual({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: `Registered Model (name=${name}) already exists.` } });

    const v1 = await post('/model-versions/create', {
      name,
      source: `runs:/${candidate.runId}/weights`,
      run_id: candidate.runId,
      tags: [{ key: 'mv', value: '1' }],
      description: 'v1',
    });
    expect(v1.status).toBe(200);
    const runLink = `${ORIGIN}/${project.namespace}/${project.path}/-/ml/candidates/${candidate.id}`;
    expect(v1.body.model_version).toEqual({
      name,
      version: '1',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: expect.any(Number),
      current_stage: 'None',
      description: 'v1',
      source: `runs:/${candidate.runId}/weights`,
      run_id: candidate.runId,
      status: 'READY',
      tags: [{ key: 'mv', value: '1' }],
      run_link: runLink,
    });

    // register_model with an MLmodel present sends the resolved artifact URI with the run id
    const v2 = await post('/model-versions/create', { name, source: `mlflow-artifacts:/ml_candidate_${candidate.id}/-/model`, run_id: candidate.runId });
    expect(v2.body.model_version).toMatchObject({ version: '2', description: '', run_id: candidate.runId, status: 'READY' });
    expect(v2.body.model_version).not.toHaveProperty('tags');

    expect((await get('/model-versions/get', { name, version: '1' })).body).toEqual(v1.body);

    const model = await get('/registered-models/get', { name });
    expect(model.body.registered_model).toMatchObject({
      name,
      description: 'demo',
      last_updated_timestamp: v2.body.model_version.creation_timestamp,
      latest_versions: [v2.body.model_version],
      tags: [{ key: 'k', value: 'v' }],
    });
    expect(model.body.registered_model).not.toHaveProperty('aliases');

    expect((await post('/registered-models/alias', { name, alias: 'champion', version: '1' })).body).toEqual({});
    const byAlias = await get('/registered-models/alias', { name, alias: 'champion' });
    expect(byAlias.body.model_version).toEqual({ ...v1.body.model_version, aliases: ['champion'] });
    expect((await get('/registered-models/get', { name })).body.registered_model.aliases).toEqual([{ alias: 'champion', version: '1' }]);

    const updated = await patch('/model-versions/update', { name, version: '1', description: 'updated' });
    expect(updated.body.model_version).toMatchObject({ description: 'updated', aliases: ['champion'], tags: [{ key: 'mv', value: '1' }] });
    expect((await post('/model-versions/set-tag', { name, version: '1', key: 'validated', value: 'true' })).body).toEqual({});
    expect((await get('/model-versions/get', { name, version: '1' })).body.model_version.tags).toEqual([
      { key: 'mv', value: '1' },
      { key: 'validated', value: 'true' },
    ]);

    expect((await del('/registered-models/alias', { name, alias: 'champion' })).body).toEqual({});
    expect(await get('/registered-models/alias', { name, alias: 'champion' })).toEqual({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias champion not found.' },
    });

    const download = await get('/model-versions/get-download-uri', { name, version: '1' });
    expect(download.body).toEqual({ artifact_uri: `${ORIGIN}/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_candidate_${candidate.id}/-/weights` });
    expect(download.body.artifact_uri).toContain('/mlflow-artifacts/artifacts');
  });

  it('register a run logged through the tracking API, as mlflow.register_model does', async () => {
    const { api, project } = await mlflowProject();
    const { runId, run } = await experimentWithRun(api);
    const artifactUri: string = run.info.artifact_uri;
    const name = unique('model');
    expect((await api('POST', '/registered-models/create', { name })).status).toBe(200);
    // with an MLmodel present, the client sends the run's artifact URI and the run id
    const created = await api('POST', '/model-versions/create', { name, source: `${artifactUri}/model`, run_id: runId });
    expect(created.status).toBe(200);
    expect(created.body.model_version).toMatchObject({ version: '1', source: `${artifactUri}/model`, run_id: runId, status: 'READY' });
    expect(created.body.model_version.run_link).toMatch(new RegExp(`/${project.namespace}/${project.path}/-/ml/candidates/\\d+$`));
    // and downloads from where the run's artifacts are
    const download = await api('GET', '/model-versions/get-download-uri', { name, version: '1' });
    expect(download.body.artifact_uri).toBe(`${artifactUri}/model`);
  });

  it("download a version's artifacts the way the client does: list, then fetch under the download URI", async () => {
    const { api, token } = await mlflowProject();
    const { runId, run } = await experimentWithRun(api);
    const artifactUri: string = run.info.artifact_uri;
    const local = (url: string) => url.replace(ORIGIN, '');
    const weights = 'w'.repeat(2048);
    for (const [file, body] of [['model/MLmodel', 'artifact_path: model\nflavors: {}\n'], ['model/data/weights.bin', weights]]) {
      const put = await call('PUT', local(`${artifactUri}/${file}`), { token, body, headers: { 'content-length': String(body.length) } });
      expect(put.status, file).toBe(200);
    }
    const name = unique('model');
    await api('POST', '/registered-models/create', { name });
    await api('POST', '/model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
    await api('POST', '/registered-models/alias', { name, alias: 'champion', version: '1' });

    // models:/name@champion → alias → download URI
    const version = (await api('GET', '/registered-models/alias', { name, alias: 'champion' })).body.model_version.version;
    const uri: string = (await api('GET', '/model-versions/get-download-uri', { name, version })).body.artifact_uri;
    const [root, tail] = uri.split('/mlflow-artifacts/artifacts');
    const listed = await callJson('GET', `${local(root)}/mlflow-artifacts/artifacts?path=${encodeURIComponent(tail.replace(/^\//, ''))}`, { token });
    expect(listed.body).toEqual({ files: [{ path: 'MLmodel', is_dir: false, file_size: 33 }, { path: 'data', is_dir: true }] });
    const fetched = await call('GET', local(`${uri}/data/weights.bin`), { token });
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe(weights);
  });

  it('register a logged model by models:/<model id> with model_id', async () => {
    const { project, post, get } = await setup();
    const lm = await seedLoggedModel(project.id);
    const name = unique('model');
    await post('/registered-models/create', { name });
    const v = await post('/model-versions/create', { name, source: `models:/${lm.id}`, model_id: lm.id });
    expect(v.body.model_version).toMatchObject({ version: '1', source: `models:/${lm.id}`, run_id: '', run_link: '', model_id: lm.id });
    expect((await get('/model-versions/get-download-uri', { name, version: '1' })).body.artifact_uri).toBe(
      `${ORIGIN}/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_model_${lm.seq}/-`,
    );
  });

  it('rename, update, tag and delete registered models', async () => {
    const { candidate, post, patch, del, get } = await setup();
    const name = unique('model');
    await post('/registered-models/create', { name });
    await post('/model-versions/create', { name, source: `runs:/${candidate.runId}/model` });

    const renamed = await post('/registered-models/rename', { name, new_name: `${name}-new` });
    expect(renamed.body.registered_model).toMatchObject({ name: `${name}-new`, latest_versions: [{ name: `${name}-new`, version: '1' }] });
    expect((await get('/registered-models/get', { name })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const updated = await patch('/registered-models/update', { name: `${name}-new`, description: 'described' });
    expect(updated.body.registered_model.description).toBe('described');

    await post('/registered-models/set-tag', { name: `${name}-new`, key: 'team', value: 'ml' });
    expect((await get('/registered-models/get', { name: `${name}-new` })).body.registered_model.tags).toEqual([{ key: 'team', value: 'ml' }]);
    expect((await del('/registered-models/delete-tag', { name: `${name}-new`, key: 'team' })).body).toEqual({});
    expect((await get('/registered-models/get', { name: `${name}-new` })).body.registered_model).not.toHaveProperty('tags');

    expect((await del('/registered-models/delete', { name: `${name}-new` })).body).toEqual({});
    expect(await get('/registered-models/get', { name: `${name}-new` })).toEqual({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Registered Model with name=${name}-new not found` },
    });
    expect((await get('/model-versions/get', { name: `${name}-new`, version: '1' })).status).toBe(404);
  });

  it('delete versions and their tags, and move them between stages', async () => {
    const { candidate, post, del, get } = await setup();
    const name = unique('model');
    await post('/registered-models/create', { name });
    for (let i = 0; i < 3; i++) await post('/model-versions/create', { name, source: `runs:/${candidate.runId}/model` });
    await post('/model-versions/set-tag', { name, version: '2', key: 'k', value: 'v' });
    expect((await del('/model-versions/delete-tag', { name, version: '2', key: 'k' })).body).toEqual({});
    expect((await get('/model-versions/get', { name, version: '2' })).body.model_version).not.toHaveProperty('tags');

    await post('/model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false });
    const moved = await post('/model-versions/transition-stage', { name, version: '2', stage: 'production', archive_existing_versions: true });
    expect(moved.body.model_version).toMatchObject({ version: '2', current_stage: 'Production' });
    expect((await get('/model-versions/get', { name, version: '1' })).body.model_version.current_stage).toBe('Archived');

    const latestPost = await post('/registered-models/get-latest-versions', { name, stages: ['Production'] });
    expect(latestPost.body.model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    const latestGet = await get('/registered-models/get-latest-versions', { name });
    expect(latestGet.body.model_versions.map((v: { current_stage: string; version: string }) => [v.current_stage, v.version])).toEqual([
      ['None', '3'],
      ['Production', '2'],
      ['Archived', '1'],
    ]);
    expect((await get('/registered-models/get-latest-versions', { name, stages: ['Staging'] })).body).toEqual({});

    await post('/registered-models/alias', { name, alias: 'champion', version: '3' });
    expect((await del('/model-versions/delete', { name, version: '3' })).body).toEqual({});
    expect((await get('/model-versions/get', { name, version: '3' })).body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Model Version (name=${name}, version=3) not found`,
    });
    // its alias went with it
    expect((await get('/registered-models/get', { name })).body.registered_model).not.toHaveProperty('aliases');
  });

  it('answer bad input with MLflow errors and write nothing', async () => {
    const { candidate, post, get, base, token } = await setup();
    const name = unique('model');
    await post('/registered-models/create', { name });
    expect(await post('/registered-models/create', {})).toEqual({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: "name: Missing value for required parameter 'name'." },
    });
    expect((await post('/model-versions/create', { name })).body.message).toMatch(/Missing value for required parameter 'source'/);
    expect((await post('/model-versions/create', { name, source: 'file:///etc/passwd' })).body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/Invalid model version source/) });
    expect((await post('/model-versions/create', { name, source: `runs:/${'0'.repeat(32)}/model` })).body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Run with id=${'0'.repeat(32)} not found`,
    });
    expect((await post('/model-versions/create', { name, source: `runs:/${candidate.runId}/m`, tags: 'nope' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await get('/model-versions/get', { name, version: 'abc' })).body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Parameter 'version' must be an integer, got 'abc'.",
    });
    expect((await post('/registered-models/alias', { name, alias: 'v2', version: '1' })).body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Version alias name 'v2' is reserved.",
    });
    expect((await post('/model-versions/transition-stage', { name, version: '1', stage: 'Gold' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const notJson = await callJson('POST', `${base}/registered-models/create`, { token, body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(notJson).toEqual({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'request body is not valid JSON' } });
    // no version was made by any of these
    expect((await get('/model-versions/get', { name, version: '1' })).status).toBe(404);
    // a method the protocol does not use for this path
    expect((await callJson('GET', `${base}/registered-models/create`, { token })).body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('let reporters read but not write, and hide the project from non-members', async () => {
    const { project, candidate, post, base } = await setup();
    const name = unique('model');
    await post('/registered-models/create', { name });
    await post('/model-versions/create', { name, source: `runs:/${candidate.runId}/model` });
    const reporter = await seedUser();
    await seedMember(project.id, reporter.user.id, AccessLevel.reporter);
    const stranger = await seedUser();
    const as = (token: string) => ({
      get: (path: string) => callJson('GET', `${base}${path}`, { token }),
      post: (path: string, json: unknown) => callJson('POST', `${base}${path}`, { token, json }),
    });

    const r = as(reporter.token);
    expect((await r.get(`/registered-models/get${qs({ name })}`)).status).toBe(200);
    expect((await r.get(`/model-versions/get${qs({ name, version: '1' })}`)).status).toBe(200);
    expect((await r.get(`/model-versions/get-download-uri${qs({ name, version: '1' })}`)).status).toBe(200);
    expect((await r.post('/registered-models/get-latest-versions', { name })).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/registered-models/create', { name: unique('m') }],
      ['POST', '/registered-models/rename', { name, new_name: unique('m') }],
      ['PATCH', '/registered-models/update', { name, description: 'x' }],
      ['DELETE', '/registered-models/delete', { name }],
      ['POST', '/registered-models/set-tag', { name, key: 'a', value: 'b' }],
      ['DELETE', '/registered-models/delete-tag', { name, key: 'a' }],
      ['POST', '/registered-models/alias', { name, alias: 'champion', version: '1' }],
      ['DELETE', '/registered-models/alias', { name, alias: 'champion' }],
      ['POST', '/model-versions/create', { name, source: `runs:/${candidate.runId}/model` }],
      ['PATCH', '/model-versions/update', { name, version: '1', description: 'x' }],
      ['DELETE', '/model-versions/delete', { name, version: '1' }],
      ['POST', '/model-versions/set-tag', { name, version: '1', key: 'a', value: 'b' }],
      ['DELETE', '/model-versions/delete-tag', { name, version: '1', key: 'a' }],
      ['POST', '/model-versions/transition-stage', { name, version: '1', stage: 'Production', archive_existing_versions: false }],
    ];
    for (const [method, path, json] of writes) {
      const res = await callJson(method, `${base}${path}`, { token: reporter.token, json });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error_code, `${method} ${path}`).toBe('PERMISSION_DENIED');
    }
    // nothing changed
    const after = await r.get(`/registered-models/get${qs({ name })}`);
    expect(after.body.registered_model).toMatchObject({ name, description: '', latest_versions: [{ version: '1', current_stage: 'None' }] });

    const s = as(stranger.token);
    expect((await s.get(`/registered-models/get${qs({ name })}`)).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await s.post('/registered-models/create', { name: unique('m') })).status).toBe(404);
  });

  it('let a read_api token read, POST get-latest-versions included, but not write', async () => {
    const { project, candidate, post, base } = await setup();
    const name = unique('model');
    await post('/registered-models/create', { name });
    await post('/model-versions/create', { name, source: `runs:/${candidate.runId}/model` });
    const reader = await seedUser({ scopes: ['read_api'] });
    await seedMember(project.id, reader.user.id, AccessLevel.developer);
    const latest = await callJson('POST', `${base}/registered-models/get-latest-versions`, { token: reader.token, json: { name } });
    expect(latest.body.model_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
    const write = await callJson('POST', `${base}/registered-models/set-tag`, { token: reader.token, json: { name, key: 'a', value: 'b' } });
    expect(write.body.error_code).toBe('PERMISSION_DENIED');
  });

  it('keep projects apart: same names, no cross-project runs', async () => {
    const a = await setup();
    const b = await setup();
    const name = unique('model');
    await a.post('/registered-models/create', { name });
    await b.post('/registered-models/create', { name });
    const cross = await b.post('/model-versions/create', { name, source: `runs:/${a.candidate.runId}/model` });
    expect(cross).toEqual({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run with id=${a.candidate.runId} not found` } });
    const sneaky = await b.post('/model-versions/create', { name, source: `${ORIGIN}/api/v4/projects/${a.project.id}/packages/generic/ml_candidate_${a.candidate.id}/-/model` });
    expect(sneaky.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
