import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { call, callJson, seedProject, seedUser } from '../helpers';

const FLAG = '/api/v4/features/ml_experiment_tracking';
const mlPath = (id: number) => `/api/v4/projects/${id}/ml/mlflow/api/2.0/mlflow/nothing`;

describe('the ml_experiment_tracking flag', () => {
  it('is off by default, on for one project alone, then for everyone, then off again', async () => {
    const admin = await seedUser({ admin: true });
    const a = await seedProject(admin.user.id, { ml: false });
    const b = await seedProject(admin.user.id, { ml: false });
    const token = admin.token;
    const code = async (id: number) => (await callJson('GET', mlPath(id), { token })).body.error_code;

    await call('DELETE', FLAG, { token });
    expect(await code(a.id)).toBe('RESOURCE_DOES_NOT_EXIST');

    const one = await callJson('POST', FLAG, { token, json: { value: true, project: `${a.namespace}/${a.path}` } });
    expect(one.status).toBe(201);
    expect(one.body).toEqual({ name: 'ml_experiment_tracking', state: 'conditional', gates: [{ key: 'boolean', value: false }, { key: 'actors', value: [`Project:${a.id}`] }] });
    expect(await code(a.id)).toBe('ENDPOINT_NOT_FOUND');
    expect(await code(b.id)).toBe('RESOURCE_DOES_NOT_EXIST');

    const all = await callJson('POST', FLAG, { token, json: { value: 'true' } });
    expect(all.body.state).toBe('on');
    expect(await code(b.id)).toBe('ENDPOINT_NOT_FOUND');

    const listed = await callJson('GET', '/api/v4/features', { token });
    expect(listed.body).toEqual([expect.objectContaining({ name: 'ml_experiment_tracking', state: 'on' })]);

    expect((await call('DELETE', FLAG, { token })).status).toBe(204);
    expect(await code(a.id)).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await env.FLAGS.get('ml_experiment_tracking')).toBeNull();
  });

  it('reads the documented KV value written with wrangler kv key put', async () => {
    const admin = await seedUser({ admin: true });
    const p = await seedProject(admin.user.id, { ml: false });
    await env.FLAGS.put('ml_experiment_tracking', JSON.stringify({ enabled: false, projects: [p.id] }));
    expect((await callJson('GET', mlPath(p.id), { token: admin.token })).body.error_code).toBe('ENDPOINT_NOT_FOUND');
    await env.FLAGS.put('ml_experiment_tracking', 'not json');
    expect((await callJson('GET', mlPath(p.id), { token: admin.token })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('is for admins only and checks its input', async () => {
    const admin = await seedUser({ admin: true });
    const user = await seedUser();
    expect((await callJson('GET', '/api/v4/features', { token: user.token })).status).toBe(403);
    expect((await callJson('POST', FLAG, { token: user.token, json: { value: true } })).status).toBe(403);
    const bad = await callJson('POST', FLAG, { token: admin.token, json: { value: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/value/);
    expect((await callJson('POST', '/api/v4/features/no_such_flag', { token: admin.token, json: { value: true } })).status).toBe(404);
    expect((await callJson('POST', FLAG, { token: admin.token, json: { value: true, project: 999999 } })).status).toBe(404);
  });
});
