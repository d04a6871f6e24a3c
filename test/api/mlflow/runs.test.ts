import { describe, expect, it } from 'vitest';
import { call } from '../../helpers';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

describe('runs/create and runs/get', () => {
  it('creates a run with a 32-hex id, the run name in step with mlflow.runName, and the artifact URI of its package', async () => {
    const { api, project } = await mlflowProject();
    const { experimentId, runId, run } = await experimentWithRun(api, {
      run_name: 'train-1',
      user_id: 'alice',
      tags: [
        { key: 'mlflow.user', value: 'alice' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.note.content', value: 'first run' },
        { key: 'gitlab.CI_JOB_ID', value: '42' },
      ],
    });
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info).toMatchObject({
      run_uuid: runId,
      run_id: runId,
      experiment_id: experimentId,
      run_name: 'train-1',
      user_id: 'alice',
      status: 'RUNNING',
      start_time: 1000,
      lifecycle_stage: 'active',
    });
    expect(run.info.artifact_uri).toMatch(
      new RegExp(`^http://flaretrack\\.test/api/v4/projects/${project.id}/ml/mlflow/api/2\\.0/mlflow-artifacts/artifacts/ml_candidate_\\d+/-$`),
    );
    expect(run.data.tags).toEqual([
      { key: 'mlflow.user', value: 'alice' },
      { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.note.content', value: 'first run' },
      { key: 'gitlab.CI_JOB_ID', value: '42' },
      { key: 'mlflow.runName', value: 'train-1' },
    ]);
    const got = await api('GET', '/runs/get', { run_uuid: runId });
    expect(got.status).toBe(200);
    expect(got.body.run.info).toEqual(run.info);
    expect(got.body.run.data.tags).toEqual(run.data.tags);
    expect(got.body.run.inputs).toEqual({});
    expect(got.body.run.outputs).toEqual({});
  });

  it('gives a run created without a name a readable random one, and takes the name from the mlflow.runName tag', async () => {
    const { api } = await mlflowProject();
    const { experimentId, run } = await experimentWithRun(api);
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: run.info.run_name });
    const tagged = await api('POST', '/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.runName', value: 'from-tag' }] });
    expect(tagged.body.run.info.run_name).toBe('from-tag');
    const clash = await api('POST', '/runs/create', { experiment_id: experimentId, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('keeps mlflow.parentRunId linking nested runs', async () => {
    const { api } = await mlflowProject();
    const { experimentId, runId: parent } = await experimentWithRun(api);
    const child = await api('POST', '/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: parent }] });
    const got = await api('GET', '/runs/get', { run_id: child.body.run.info.run_id });
    expect(got.body.run.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: parent });
  });

  it('logs to the Default experiment "0" when no experiment is given', async () => {
    const { api } = await mlflowProject();
    const run = await api('POST', '/runs/create', {});
    expect(run.status).toBe(200);
    expect(run.body.run.info.experiment_id).toBe('0');
    const experiment = await api('GET', '/experiments/get', { experiment_id: '0' });
    expect(experiment.body.experiment.name).toBe('Default');
  });

  it('refuses unknown and deleted experiments, and answers RESOURCE_DOES_NOT_EXIST for unknown runs', async () => {
    const { api } = await mlflowProject();
    expect((await api('POST', '/runs/create', { experiment_id: '999' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const { experimentId } = await experimentWithRun(api);
    await api('POST', '/experiments/delete', { experiment_id: experimentId });
    const res = await api('POST', '/runs/create', { experiment_id: experimentId });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const missing = await api('GET', '/runs/get', { run_id: '0'.repeat(32) });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run with id=${'0'.repeat(32)} not found` });
    const noId = await api('GET', '/runs/get', {});
    expect(noId.status).toBe(400);
    expect(noId.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('runs/update, delete, restore', () => {
  it('updates status, end time and name, keeping mlflow.runName in step', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api, { run_name: 'before' });
    const res = await api('POST', '/runs/update', { run_uuid: runId, status: 'FINISHED', end_time: 2000, run_name: 'after' });
    expect(res.status).toBe(200);
    expect(res.body.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: 2000, run_name: 'after', start_time: 1000 });
    const got = await api('GET', '/runs/get', { run_id: runId });
    expect(got.body.run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'after' });
    await api('POST', '/runs/set-tag', { run_id: runId, key: 'mlflow.runName', value: 'via-tag' });
    expect((await api('GET', '/runs/get', { run_id: runId })).body.run.info.run_name).toBe('via-tag');
    const bad = await api('POST', '/runs/update', { run_id: runId, status: 'DONE' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('soft-deletes and restores a run; a deleted run keeps its data but takes no writes', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    await api('POST', '/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' });
    expect((await api('POST', '/runs/delete', { run_id: runId })).status).toBe(200);
    const deleted = await api('GET', '/runs/get', { run_id: runId });
    expect(deleted.body.run.info.lifecycle_stage).toBe('deleted');
    expect(deleted.body.run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    const write = await api('POST', '/runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1, step: 0 });
    expect(write.status).toBe(400);
    expect(write.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(write.body.message).toContain("must be in the 'active' state");
    expect((await api('GET', '/runs/get', { run_id: runId })).body.run.data.metrics).toBeUndefined();
    expect((await api('POST', '/runs/restore', { run_id: runId })).status).toBe(200);
    expect((await api('GET', '/runs/get', { run_id: runId })).body.run.info.lifecycle_stage).toBe('active');
    expect((await api('POST', '/runs/delete', { run_id: 'f'.repeat(32) })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

describe('logging', () => {
  it('logs params, tags and metrics; params are immutable, tags overwrite, metrics keep the latest by step', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    expect((await api('POST', '/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).status).toBe(200);
    expect((await api('POST', '/runs/log-parameter', { run_uuid: runId, key: 'lr', value: '0.01' })).status).toBe(200);
    const changed = await api('POST', '/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.02' });
    expect(changed.status).toBe(400);
    expect(changed.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(changed.body.message).toContain("key='lr' was already logged with value='0.01'");
    await api('POST', '/runs/set-tag', { run_id: runId, key: 'phase', value: 'a' });
    await api('POST', '/runs/set-tag', { run_id: runId, key: 'phase', value: 'b' });
    for (const [step, value] of [[0, 1], [2, 0.5], [1, 0.7]]) {
      await api('POST', '/runs/log-metric', { run_id: runId, key: 'loss', value, timestamp: 10, step });
    }
    const run = (await api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(run.data.tags).toContainEqual({ key: 'phase', value: 'b' });
    expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.5, timestamp: 10, step: 2 }]);
  });

  it('takes NaN and ±Infinity as bare literals and gives them back as proto3 JSON strings', async () => {
    const { api, prefix, token } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const body = `{"run_id": "${runId}", "metrics": [{"key": "a", "value": NaN, "timestamp": 1, "step": 0}, {"key": "b", "value": Infinity, "timestamp": 1, "step": 0}, {"key": "c", "value": -Infinity, "timestamp": 1, "step": 0}]}`;
    const res = await call('POST', `${prefix}/runs/log-batch`, { token, body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const run = (await api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.data.metrics).toEqual([
      { key: 'a', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'b', value: 'Infinity', timestamp: 1, step: 0 },
      { key: 'c', value: '-Infinity', timestamp: 1, step: 0 },
    ]);
    const history = await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'b' });
    expect(history.body.metrics).toEqual([{ key: 'b', value: 'Infinity', timestamp: 1, step: 0 }]);
  });

  it('does not duplicate metric points when a request is retried', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const batch = { run_id: runId, metrics: [0, 1, 2].map((step) => ({ key: 'm', value: step / 2, timestamp: 100 + step, step })) };
    await api('POST', '/runs/log-batch', batch);
    await api('POST', '/runs/log-batch', batch);
    await api('POST', '/runs/log-metric', { run_id: runId, key: 'm', value: 0, timestamp: 100, step: 0 });
    const history = await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'm' });
    expect(history.body.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2]);
  });

  it('rejects a batch breaking a limit or immutability and writes nothing of it', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    await api('POST', '/runs/log-parameter', { run_id: runId, key: 'fixed', value: '1' });
    const conflicting = await api('POST', '/runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
      params: [{ key: 'new', value: 'x' }, { key: 'fixed', value: '2' }],
      tags: [{ key: 't', value: 'v' }],
    });
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const cases: [unknown, string][] = [
      [{ params: [{ key: 'k'.repeat(251), value: 'v' }] }, 'Param key'],
      [{ params: [{ key: 'k', value: 'v'.repeat(6001) }] }, 'Param value'],
      [{ tags: [{ key: 't', value: 'v'.repeat(8001) }] }, 'Tag value'],
      [{ metrics: [{ key: 'm'.repeat(251), value: 1, timestamp: 1, step: 0 }] }, 'Metric name'],
      [{ params: [{ key: 'a', value: '1' }, { key: 'a', value: '1' }] }, 'Duplicate parameter keys'],
      [{ params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) }, 'at most 100 params'],
      [{ tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '1' })) }, 'at most 100 tags'],
      [{ metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i })) }, 'at most 1000 metrics'],
      [
        {
          metrics: Array.from({ length: 950 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i })),
          params: Array.from({ length: 60 }, (_, i) => ({ key: `p${i}`, value: '1' })),
        },
        'at most 1000 metrics, params, and tags',
      ],
      [{ metrics: [{ key: '../up', value: 1, timestamp: 1, step: 0 }] }, 'Invalid metric name'],
      [{ metrics: [{ key: 'm', value: 'x', timestamp: 1, step: 0 }] }, 'metrics'],
      [{ metrics: [{ key: 'm', value: 1, timestamp: -1, step: 0 }] }, 'timestamp'],
    ];
    for (const [extra, message] of cases) {
      const res = await api('POST', '/runs/log-batch', { run_id: runId, metrics: [{ key: 'ok', value: 1, timestamp: 1, step: 0 }], ...(extra as object) });
      expect(res.status, message).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.body.message).toContain(message);
    }
    const run = (await api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.data.params).toEqual([{ key: 'fixed', value: '1' }]);
    expect(run.data.metrics).toBeUndefined();
    expect(run.data.tags.map((t: { key: string }) => t.key)).not.toContain('t');
  });

  it('refuses a body over 1,000,000 bytes as MLflow does: 400 INVALID_PARAMETER_VALUE (issue 13: it was 413 at 1 MiB)', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const res = await api('POST', '/runs/log-batch', { run_id: runId, tags: [{ key: 't', value: 'x'.repeat(1024 * 1024) }] });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.body.message).toContain('1000000');
  });

  it('deletes tags, answering RESOURCE_DOES_NOT_EXIST for a missing one', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api, { tags: [{ key: 'gone', value: '1' }] });
    expect((await api('POST', '/runs/delete-tag', { run_id: runId, key: 'gone' })).status).toBe(200);
    const again = await api('POST', '/runs/delete-tag', { run_id: runId, key: 'gone' });
    expect(again.status).toBe(404);
    expect(again.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const tags = (await api('GET', '/runs/get', { run_id: runId })).body.run.data.tags;
    expect(tags.map((t: { key: string }) => t.key)).not.toContain('gone');
  });

  it('logs dataset inputs once, and model inputs and outputs', async () => {
    const { api } = await mlflowProject();
    const { experimentId, runId } = await experimentWithRun(api);
    const input = {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'train', digest: 'af50b96d', source_type: 'http', source: '{"url": "https://example.invalid/train.csv"}' },
        },
      ],
    };
    expect((await api('POST', '/runs/log-inputs', input)).status).toBe(200);
    expect((await api('POST', '/runs/log-inputs', input)).status).toBe(200);
    const model = (await api('POST', '/logged-models', { experiment_id: experimentId, name: 'm' })).body.model.info.model_id;
    expect((await api('POST', '/runs/log-inputs', { run_id: runId, models: [{ model_id: model }] })).status).toBe(200);
    expect((await api('POST', '/runs/outputs', { run_id: runId, models: [{ model_id: model, step: 3 }] })).status).toBe(200);
    const run = (await api('GET', '/runs/get', { run_id: runId })).body.run;
    expect(run.inputs).toEqual({ dataset_inputs: [input.datasets[0]], model_inputs: [{ model_id: model }] });
    expect(run.outputs).toEqual({ model_outputs: [{ model_id: model, step: 3 }] });
    const unknown = await api('POST', '/runs/outputs', { run_id: runId, models: [{ model_id: 'm-' + '0'.repeat(32) }] });
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
