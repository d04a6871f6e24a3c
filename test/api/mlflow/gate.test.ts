import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { setFlag } from '../../../src/flags/flags';
import { callJson, seedProject, seedUser } from '../../helpers';

const prefix = (project: { id: number }) => `/api/v4/projects/${project.id}/ml/mlflow`;

describe('the MLflow prefix', () => {
  it('answers ENDPOINT_NOT_FOUND for what it does not serve, once the flag is on', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const res = await callJson('POST', `${prefix(project)}/api/3.0/mlflow/scorers/register`, { token, json: {} });
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('is 404 with the flag off for the project, and on for one project only', async () => {
    const { user, token } = await seedUser();
    const off = await seedProject(user.id, { ml: false });
    const on = await seedProject(user.id, { ml: false });
    expect((await callJson('GET', `${prefix(off)}/api/2.0/mlflow/nothing`, { token })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    await setFlag(env.FLAGS, 'ml_experiment_tracking', true, on.id);
    expect((await callJson('GET', `${prefix(on)}/api/2.0/mlflow/nothing`, { token })).body.error_code).toBe('ENDPOINT_NOT_FOUND');
    expect((await callJson('GET', `${prefix(off)}/api/2.0/mlflow/nothing`, { token })).status).toBe(404);
    expect((await callJson('GET', `${prefix(off)}/api/2.0/mlflow/nothing`, { token })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('addresses a project by its url-encoded path', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const path = encodeURIComponent(`${project.namespace}/${project.path}`);
    const res = await callJson('GET', `/api/v4/projects/${path}/ml/mlflow/api/2.0/mlflow/nothing`, { token });
    expect(res.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('is 401 without a token and 404 for a non-member', async () => {
    const { user } = await seedUser();
    const stranger = await seedUser();
    const project = await seedProject(user.id);
    expect((await callJson('GET', `${prefix(project)}/api/2.0/mlflow/nothing`)).body.error_code).toBe('UNAUTHENTICATED');
    expect((await callJson('GET', `${prefix(project)}/api/2.0/mlflow/nothing`, { token: stranger.token })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
