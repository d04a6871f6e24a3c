import { describe, expect, it } from 'vitest';
import { unique } from '../../helpers';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

describe('experiments', () => {
  it('numbers experiments within the project and finds them by id and by name', async () => {
    const { api, project } = await mlflowProject();
    const other = await mlflowProject();
    const a = await api('POST', '/experiments/create', { name: 'alpha', tags: [{ key: 'team', value: 'ml' }] });
    const b = await api('POST', '/experiments/create', { name: 'beta' });
    expect(a.body).toEqual({ experiment_id: '1' });
    expect(b.body).toEqual({ experiment_id: '2' });
    expect((await other.api('POST', '/experiments/create', { name: 'alpha' })).body).toEqual({ experiment_id: '1' });
    const got = await api('GET', '/experiments/get', { experiment_id: '1' });
    expect(got.body.experiment).toMatchObject({
      experiment_id: '1',
      name: 'alpha',
      artifact_location: `http://flaretrack.test/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts`,
      lifecycle_stage: 'active',
      tags: [{ key: 'team', value: 'ml' }],
    });
    expect(got.body.experiment.creation_time).toBeTypeOf('number');
    expect(got.body.experiment.last_update_time).toBeGreaterThanOrEqual(got.body.experiment.creation_time);
    const byName = await api('GET', '/experiments/get-by-name', { experiment_name: 'beta' });
    expect(byName.body.experiment.experiment_id).toBe('2');
    expect(byName.body.experiment.tags).toBeUndefined();
  });

  it('answers MLflow errors: missing, duplicate, bad names', async () => {
    const { api } = await mlflowProject();
    const missing = await api('GET', '/experiments/get-by-name', { experiment_name: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'nope'" });
    expect((await api('GET', '/experiments/get', { experiment_id: '77' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await api('GET', '/experiments/get', { experiment_id: 'abc' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    await api('POST', '/experiments/create', { name: 'dup' });
    const dup = await api('POST', '/experiments/create', { name: 'dup' });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Experiment(name=dup) already exists.' });
    const long = await api('POST', '/experiments/create', { name: 'x'.repeat(501) });
    expect(long.status).toBe(400);
    expect(long.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(long.body.message).toContain('500');
    const none = await api('POST', '/experiments/create', {});
    expect(none.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(none.body.message).toContain("'name'");
  });

  it('renames, keeps names unique (deleted ones too) and moves last_update_time', async () => {
    const { api } = await mlflowProject();
    const id = (await api('POST', '/experiments/create', { name: 'first' })).body.experiment_id;
    const before = (await api('GET', '/experiments/get', { experiment_id: id })).body.experiment.last_update_time;
    await new Promise((r) => setTimeout(r, 5));
    expect((await api('POST', '/experiments/update', { experiment_id: id, new_name: 'second' })).status).toBe(200);
    const after = (await api('GET', '/experiments/get', { experiment_id: id })).body.experiment;
    expect(after.name).toBe('second');
    expect(after.last_update_time).toBeGreaterThan(before);
    const other = (await api('POST', '/experiments/create', { name: 'other' })).body.experiment_id;
    await api('POST', '/experiments/delete', { experiment_id: other });
    expect((await api('POST', '/experiments/create', { name: 'other' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await api('POST', '/experiments/update', { experiment_id: id, new_name: 'other' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await api('POST', '/experiments/update', { experiment_id: other, new_name: 'x' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('soft-deletes an experiment with its runs and restores both', async () => {
    const { api } = await mlflowProject();
    const { experimentId, runId } = await experimentWithRun(api);
    expect((await api('POST', '/experiments/delete', { experiment_id: experimentId })).status).toBe(200);
    expect((await api('GET', '/experiments/get', { experiment_id: experimentId })).body.experiment.lifecycle_stage).toBe('deleted');
    expect((await api('GET', '/runs/get', { run_id: runId })).body.run.info.lifecycle_stage).toBe('deleted');
    expect((await api('POST', '/experiments/delete', { experiment_id: experimentId })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('POST', '/experiments/restore', { experiment_id: experimentId })).status).toBe(200);
    expect((await api('GET', '/experiments/get', { experiment_id: experimentId })).body.experiment.lifecycle_stage).toBe('active');
    expect((await api('GET', '/runs/get', { run_id: runId })).body.run.info.lifecycle_stage).toBe('active');
    expect((await api('POST', '/experiments/restore', { experiment_id: experimentId })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('POST', '/experiments/delete', { experiment_id: '404' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('sets, overwrites and deletes experiment tags', async () => {
    const { api } = await mlflowProject();
    const id = (await api('POST', '/experiments/create', { name: unique('e') })).body.experiment_id;
    await api('POST', '/experiments/set-experiment-tag', { experiment_id: id, key: 'a', value: '1' });
    await api('POST', '/experiments/set-experiment-tag', { experiment_id: id, key: 'b', value: '2' });
    await api('POST', '/experiments/set-experiment-tag', { experiment_id: id, key: 'a', value: '3' });
    expect((await api('GET', '/experiments/get', { experiment_id: id })).body.experiment.tags).toEqual([
      { key: 'a', value: '3' },
      { key: 'b', value: '2' },
    ]);
    expect((await api('POST', '/experiments/delete-experiment-tag', { experiment_id: id, key: 'a' })).status).toBe(200);
    expect((await api('GET', '/experiments/get', { experiment_id: id })).body.experiment.tags).toEqual([{ key: 'b', value: '2' }]);
    expect((await api('POST', '/experiments/delete-experiment-tag', { experiment_id: id, key: 'a' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const long = await api('POST', '/experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v'.repeat(5001) });
    expect(long.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(long.body.message).toContain('Tag value');
  });

  it('bumps last_update_time when a run is created or updated', async () => {
    const { api } = await mlflowProject();
    const { experimentId, runId } = await experimentWithRun(api);
    const t1 = (await api('GET', '/experiments/get', { experiment_id: experimentId })).body.experiment.last_update_time;
    await new Promise((r) => setTimeout(r, 5));
    await api('POST', '/runs/update', { run_id: runId, status: 'FINISHED', end_time: 5 });
    const t2 = (await api('GET', '/experiments/get', { experiment_id: experimentId })).body.experiment.last_update_time;
    expect(t2).toBeGreaterThan(t1);
  });
});
