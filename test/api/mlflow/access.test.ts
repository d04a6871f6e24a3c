import { describe, expect, it } from 'vitest';
import { AccessLevel } from '../../../src/access/policy';
import { callJson, seedMember, seedUser } from '../../helpers';
import { experimentWithRun, mlflowProject, reporterOf } from './mlflow-helpers';

describe('access to the tracking API', () => {
  it('lets a reporter read but not write (PERMISSION_DENIED)', async () => {
    const { api, project } = await mlflowProject();
    const { experimentId, runId } = await experimentWithRun(api);
    const reporter = await reporterOf(project.id);
    expect((await api('GET', '/runs/get', { run_id: runId }, reporter)).status).toBe(200);
    expect((await api('GET', '/experiments/get', { experiment_id: experimentId }, reporter)).status).toBe(200);
    expect((await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'm' }, reporter)).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/experiments/create', { name: 'nope' }],
      ['POST', '/experiments/update', { experiment_id: experimentId, new_name: 'x' }],
      ['POST', '/experiments/delete', { experiment_id: experimentId }],
      ['POST', '/experiments/set-experiment-tag', { experiment_id: experimentId, key: 'k', value: 'v' }],
      ['POST', '/runs/create', { experiment_id: experimentId }],
      ['POST', '/runs/update', { run_id: runId, status: 'FAILED' }],
      ['POST', '/runs/delete', { run_id: runId }],
      ['POST', '/runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1 }],
      ['POST', '/runs/log-parameter', { run_id: runId, key: 'p', value: '1' }],
      ['POST', '/runs/log-batch', { run_id: runId }],
      ['POST', '/runs/set-tag', { run_id: runId, key: 't', value: '1' }],
      ['POST', '/runs/log-inputs', { run_id: runId }],
      ['POST', '/logged-models', { experiment_id: experimentId }],
    ];
    for (const [method, path, body] of writes) {
      const res = await api(method, path, body, reporter);
      expect(res.status, path).toBe(403);
      expect(res.body.error_code, path).toBe('PERMISSION_DENIED');
    }
    const run = (await api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.info.status).toBe('RUNNING');
    expect(run.data.params).toBeUndefined();
  });

  it('hides the project from non-members and guests (RESOURCE_DOES_NOT_EXIST)', async () => {
    const { api, project } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const stranger = await seedUser();
    const res = await api('GET', '/runs/get', { run_id: runId }, stranger.token);
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const guest = await seedUser();
    await seedMember(project.id, guest.user.id, AccessLevel.guest);
    expect((await api('GET', '/runs/get', { run_id: runId }, guest.token)).body.error_code).toBe('PERMISSION_DENIED');
  });

  it('lets a read_api token read but not log', async () => {
    const { api, project } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const reader = await seedUser({ scopes: ['read_api'] });
    await seedMember(project.id, reader.user.id, AccessLevel.developer);
    expect((await api('GET', '/runs/get', { run_id: runId }, reader.token)).status).toBe(200);
    const write = await api('POST', '/runs/log-parameter', { run_id: runId, key: 'p', value: '1' }, reader.token);
    expect(write.status).toBe(403);
    expect(write.body.error_code).toBe('PERMISSION_DENIED');
  });

  it('makes runs, experiments and models of another project invisible, whatever their id', async () => {
    const mine = await mlflowProject();
    const theirs = await mlflowProject();
    const { runId } = await experimentWithRun(theirs.api);
    const model = (await theirs.api('POST', '/logged-models', { experiment_id: '1' })).body.model.info.model_id;
    for (const [method, path, body] of [
      ['GET', '/runs/get', { run_id: runId }],
      ['POST', '/runs/log-parameter', { run_id: runId, key: 'p', value: '1' }],
      ['POST', '/runs/log-batch', { run_id: runId, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }],
      ['POST', '/runs/update', { run_id: runId, status: 'KILLED' }],
      ['POST', '/runs/delete', { run_id: runId }],
      ['POST', '/runs/set-tag', { run_id: runId, key: 't', value: 'v' }],
      ['POST', '/runs/delete-tag', { run_id: runId, key: 'mlflow.runName' }],
      ['POST', '/runs/log-inputs', { run_id: runId }],
      ['GET', '/metrics/get-history', { run_id: runId, metric_key: 'm' }],
      ['GET', `/logged-models/${model}`, undefined],
      ['PATCH', `/logged-models/${model}`, { status: 'LOGGED_MODEL_READY' }],
    ] as [string, string, unknown][]) {
      const res = await mine.api(method, path, body);
      expect(res.status, path).toBe(404);
      expect(res.body.error_code, path).toBe('RESOURCE_DOES_NOT_EXIST');
    }
    const run = (await theirs.api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.info.status).toBe('RUNNING');
    expect(run.data.metrics).toBeUndefined();
    expect(run.data.params).toBeUndefined();
  });

  it('is UNAUTHENTICATED without a token', async () => {
    const { project } = await mlflowProject();
    const res = await callJson('GET', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow/experiments/get?experiment_id=1`);
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe('UNAUTHENTICATED');
  });
});
