import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { call, callJson } from '../helpers';
import { experimentWithRun, mlflowProject } from '../api/mlflow/mlflow-helpers';

describe('deleting a project', () => {
  it('removes everything in it, promoted candidates and artifact bytes included', async () => {
    const { token, project, api } = await mlflowProject();
    const { runId, run } = await experimentWithRun(api);
    const artifactUri: string = run.info.artifact_uri;
    const upload = await call('PUT', `${new URL(artifactUri).pathname}/model/weights.bin`, { token, body: 'weights', headers: { 'content-length': '7' } });
    expect(upload.status).toBe(200);
    expect((await api('POST', '/registered-models/create', { name: 'm' })).status).toBe(200);
    expect((await api('POST', '/model-versions/create', { name: 'm', source: `runs:/${runId}/model`, run_id: runId })).status).toBe(200);
    expect((await env.ARTIFACTS.list({ prefix: `projects/${project.id}/` })).objects.length).toBe(1);

    const res = await callJson('DELETE', `/api/v4/projects/${project.id}`, { token });
    expect(res.status).toBe(202);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token })).status).toBe(404);
    expect((await env.ARTIFACTS.list({ prefix: `projects/${project.id}/` })).objects).toEqual([]);
    const left = await env.DB.prepare('SELECT (SELECT count(*) FROM candidates WHERE project_id = ?1) + (SELECT count(*) FROM registered_models WHERE project_id = ?1) AS n').bind(project.id).first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
