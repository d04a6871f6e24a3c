import { describe, expect, it } from 'vitest';
import { callJson, unique } from '../../helpers';
import { seedCandidate, seedOwnedProject } from '../../tracking/registry/seed';

const qs = (fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) params.append(k, one);
  return `?${params}`;
};

async function setup() {
  const { owner, project } = await seedOwnedProject();
  const base = `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow`;
  const post = (path: string, json: unknown) => callJson('POST', `${base}${path}`, { token: owner.token, json });
  const get = (path: string, fields: Record<string, string | string[]>) => callJson('GET', `${base}${path}${qs(fields)}`, { token: owner.token });
  return { project, post, get, base, token: owner.token };
}

const names = (body: { registered_models?: { name: string }[] }) => (body.registered_models ?? []).map((m) => m.name);
const versions = (body: { model_versions?: { name: string; version: string }[] }) => (body.model_versions ?? []).map((v) => `${v.name}/${v.version}`);

describe('registered-models/search', () => {
  it('filters on name and tags, with the prompt clause the client appends', async () => {
    const { post, get } = await setup();
    const p = unique('s');
    await post('/registered-models/create', { name: `${p}-alpha`, tags: [{ key: 'team', value: 'vision' }] });
    await post('/registered-models/create', { name: `${p}-Beta`, tags: [{ key: 'team', value: 'nlp' }] });
    await post('/registered-models/create', { name: `${p}-prompt`, tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    const prompt = " AND tag.`mlflow.prompt.is_prompt` != 'true'";

    const all = await get('/registered-models/search', { filter: `name LIKE '${p}%'${prompt}`, max_results: '100' });
    expect(all.status).toBe(200);
    expect(names(all.body)).toEqual([`${p}-Beta`, `${p}-alpha`]);
    // each carries its tags, as registered-models/get does
    expect(all.body.registered_models[1].tags).toEqual([{ key: 'team', value: 'vision' }]);

    expect(names((await get('/registered-models/search', { filter: `name = '${p}-alpha'${prompt}` })).body)).toEqual([`${p}-alpha`]);
    expect(names((await get('/registered-models/search', { filter: `name ILIKE '${p}-b%'${prompt}` })).body)).toEqual([`${p}-Beta`]);
    expect(names((await get('/registered-models/search', { filter: `name LIKE '${p}%' AND name != '${p}-alpha'${prompt}` })).body)).toEqual([`${p}-Beta`]);
    expect(names((await get('/registered-models/search', { filter: `name LIKE '${p}%' AND tag.team = 'nlp'${prompt}` })).body)).toEqual([`${p}-Beta`]);
    expect(names((await get('/registered-models/search', { filter: `name LIKE '${p}%' AND tags.team LIKE 'vis%'${prompt}` })).body)).toEqual([`${p}-alpha`]);
    // asking for prompts finds them
    expect(names((await get('/registered-models/search', { filter: `name LIKE '${p}%' AND tag.\`mlflow.prompt.is_prompt\` = 'true'` })).body)).toEqual([`${p}-prompt`]);
  });

  it('orders by name or last update and pages', async () => {
    const { post, get, base, token } = await setup();
    const p = unique('o');
    for (const n of ['c', 'a', 'b']) await post('/registered-models/create', { name: `${p}-${n}` });
    const byName = await get('/registered-models/search', { filter: `name LIKE '${p}%'`, order_by: ['name DESC'] });
    expect(names(byName.body)).toEqual([`${p}-c`, `${p}-b`, `${p}-a`]);

    const first = await get('/registered-models/search', { filter: `name LIKE '${p}%'`, max_results: '2' });
    expect(names(first.body)).toEqual([`${p}-a`, `${p}-b`]);
    expect(first.body.next_page_token).toEqual(expect.any(String));
    const second = await get('/registered-models/search', { filter: `name LIKE '${p}%'`, max_results: '2', page_token: first.body.next_page_token });
    expect(names(second.body)).toEqual([`${p}-c`]);
    expect(second.body.next_page_token).toBeUndefined();

    // a description change makes a the most recently updated
    await callJson('PATCH', `${base}/registered-models/update`, { token, json: { name: `${p}-a`, description: 'changed' } });
    const byUpdate = await get('/registered-models/search', { filter: `name LIKE '${p}%'`, order_by: ['last_updated_timestamp DESC'] });
    expect(names(byUpdate.body)).toEqual([`${p}-a`, `${p}-b`, `${p}-c`]);
  });

  it('refuses bad filters, orders and page sizes with INVALID_PARAMETER_VALUE', async () => {
    const { get } = await setup();
    const bad: Record<string, string>[] = [{ filter: "name = 'unterminated" }, { filter: "version = '1'" }, { order_by: 'colour ASC' }, { max_results: '1001' }, { max_results: '0' }, { page_token: 'garbage!' }];
    for (const fields of bad) {
      const res = await get('/registered-models/search', fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body.error_code, JSON.stringify(fields)).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});

describe('model-versions/search', () => {
  it('filters on name, version, run_id, source and tags, newest first', async () => {
    const { project, post, get } = await setup();
    const a = await seedCandidate(project.id);
    const b = await seedCandidate(project.id);
    const name = unique('mv');
    const other = unique('mv');
    await post('/registered-models/create', { name });
    await post('/registered-models/create', { name: other });
    await post('/model-versions/create', { name, source: `runs:/${a.runId}/model`, tags: [{ key: 'stage', value: 'dev' }] });
    await post('/model-versions/create', { name, source: `runs:/${b.runId}/model`, tags: [{ key: 'stage', value: 'prod' }] });
    await post('/model-versions/create', { name: other, source: `runs:/${a.runId}/other` });

    const byName = await get('/model-versions/search', { filter: `name='${name}'`, max_results: '10000' });
    expect(byName.status).toBe(200);
    expect(versions(byName.body)).toEqual([`${name}/2`, `${name}/1`]);
    expect(byName.body.model_versions[1]).toMatchObject({ run_id: a.runId, tags: [{ key: 'stage', value: 'dev' }] });

    expect(versions((await get('/model-versions/search', { filter: `name='${name}' AND version_number=1` })).body)).toEqual([`${name}/1`]);
    expect(versions((await get('/model-versions/search', { filter: `run_id='${a.runId}'`, order_by: ['name ASC'] })).body).sort()).toEqual([`${name}/1`, `${other}/1`].sort());
    expect(versions((await get('/model-versions/search', { filter: `run_id IN ('${b.runId}')` })).body)).toEqual([`${name}/2`]);
    expect(versions((await get('/model-versions/search', { filter: `source_path LIKE '%/other'` })).body)).toEqual([`${other}/1`]);
    expect(versions((await get('/model-versions/search', { filter: `name='${name}' AND tag.stage='prod'` })).body)).toEqual([`${name}/2`]);
  });

  it('orders and pages', async () => {
    const { project, post, get } = await setup();
    const c = await seedCandidate(project.id);
    const name = unique('mv');
    await post('/registered-models/create', { name });
    for (let i = 0; i < 3; i++) await post('/model-versions/create', { name, source: `runs:/${c.runId}/m` });
    const asc = await get('/model-versions/search', { filter: `name='${name}'`, order_by: ['version_number ASC'], max_results: '2' });
    expect(versions(asc.body)).toEqual([`${name}/1`, `${name}/2`]);
    const rest = await get('/model-versions/search', { filter: `name='${name}'`, order_by: ['version_number ASC'], max_results: '2', page_token: asc.body.next_page_token });
    expect(versions(rest.body)).toEqual([`${name}/3`]);
    expect((await get('/model-versions/search', { filter: `name='${unique('none')}'` })).body).toEqual({});
    expect((await get('/model-versions/search', { filter: 'colour = 1' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
