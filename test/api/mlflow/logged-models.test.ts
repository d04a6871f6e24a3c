import { describe, expect, it } from 'vitest';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

describe('logged models', () => {
  it('creates, reads, tags, logs params and finalizes a logged model as MLflow answers', async () => {
    const { api, project } = await mlflowProject();
    const { experimentId, runId } = await experimentWithRun(api);
    const created = await api('POST', '/logged-models', {
      experiment_id: experimentId,
      name: 'demo-lm',
      model_type: 'custom',
      source_run_id: runId,
      tags: [{ key: 'mlflow.user', value: 'root' }, { key: 't', value: '1' }, { key: 'mlflow.source.name', value: 'x.py' }],
    });
    expect(created.status).toBe(200);
    const info = created.body.model.info;
    expect(info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(info).toMatchObject({
      experiment_id: experimentId,
      name: 'demo-lm',
      status: 'LOGGED_MODEL_PENDING',
      model_type: 'custom',
      source_run_id: runId,
      tags: [{ key: 'mlflow.source.name', value: 'x.py' }, { key: 'mlflow.user', value: 'root' }, { key: 't', value: '1' }],
    });
    expect(info.artifact_uri).toMatch(new RegExp(`/api/v4/projects/${project.id}/ml/mlflow/api/2\\.0/mlflow-artifacts/artifacts/ml_model_\\d+/-$`));
    expect(info.last_updated_timestamp_ms).toBe(info.creation_timestamp_ms);
    expect(created.body.model.data).toEqual({});
    const id = info.model_id;
    expect((await api('POST', `/logged-models/${id}/params`, { model_id: id, params: [{ key: 'depth', value: '3' }] })).status).toBe(200);
    expect((await api('PATCH', `/logged-models/${id}/tags`, { tags: [{ key: 'stage', value: 'exp' }] })).status).toBe(200);
    await api('POST', '/runs/log-metric', { run_id: runId, key: 'val_acc', value: 0.9, timestamp: 7, step: 0, model_id: id });
    const finalized = await api('PATCH', `/logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
    expect(finalized.status).toBe(200);
    expect(finalized.body.model.info.status).toBe('LOGGED_MODEL_READY');
    const got = await api('GET', `/logged-models/${id}`);
    expect(got.body.model.info.tags).toContainEqual({ key: 'stage', value: 'exp' });
    expect(got.body.model.data).toEqual({
      params: [{ key: 'depth', value: '3' }],
      metrics: [{ key: 'val_acc', value: 0.9, timestamp: 7, step: 0, model_id: id, run_id: runId }],
    });
    expect((await api('PATCH', `/logged-models/${id}`, { status: 'LOGGED_MODEL_PENDING' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('deletes tags and models; a deleted or unknown model does not exist', async () => {
    const { api } = await mlflowProject();
    const { experimentId } = await experimentWithRun(api);
    const id = (await api('POST', '/logged-models', { experiment_id: experimentId, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] })).body.model.info.model_id;
    expect((await api('DELETE', `/logged-models/${id}/tags/a`)).status).toBe(200);
    expect((await api('DELETE', `/logged-models/${id}/tags/a`)).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await api('GET', `/logged-models/${id}`)).body.model.info.tags).toEqual([{ key: 'b', value: '2' }]);
    expect((await api('GET', `/logged-models/${id}`)).body.model.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect((await api('DELETE', `/logged-models/${id}`)).status).toBe(200);
    const gone = await api('GET', `/logged-models/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await api('POST', '/logged-models', { experiment_id: '999' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await api('POST', '/logged-models', {})).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('keeps model params immutable', async () => {
    const { api } = await mlflowProject();
    const { experimentId } = await experimentWithRun(api);
    const id = (await api('POST', '/logged-models', { experiment_id: experimentId })).body.model.info.model_id;
    await api('POST', `/logged-models/${id}/params`, { params: [{ key: 'p', value: '1' }] });
    expect((await api('POST', `/logged-models/${id}/params`, { params: [{ key: 'p', value: '1' }] })).status).toBe(200);
    expect((await api('POST', `/logged-models/${id}/params`, { params: [{ key: 'p', value: '2' }] })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('logged model tags by body', () => {
  it('deletes a tag named in the body of DELETE .../tags', async () => {
    const { api } = await mlflowProject();
    const { experimentId } = await experimentWithRun(api);
    const id = (await api('POST', '/logged-models', { experiment_id: experimentId, tags: [{ key: 'a', value: '1' }] })).body.model.info.model_id;
    expect((await api('DELETE', `/logged-models/${id}/tags`, { tag_key: 'a' })).status).toBe(200);
    expect((await api('GET', `/logged-models/${id}`)).body.model.info.tags).toBeUndefined();
    expect((await api('DELETE', `/logged-models/${id}/tags`, {})).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
