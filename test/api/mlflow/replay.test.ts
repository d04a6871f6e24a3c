import { describe, expect, it } from 'vitest';
import { compareAnswer, isTrackingExchange, mapIds, recordedExchanges, replay } from '../../mlflow-replay';
import { mlflowProject } from './mlflow-helpers';

describe('the recorded MLflow client, replayed', () => {
  it('holds every tracking request of the recording', () => {
    const tracking = recordedExchanges().filter(isTrackingExchange);
    expect(tracking.length).toBeGreaterThan(250);
    expect(new Set(tracking.map((e) => e.path.replace(/m-[0-9a-f]{32}/, ':id')))).toContain('/api/2.0/mlflow/logged-models/:id/tags');
  });

  it('compares answers strictly: missing keys, other types and other values are caught', () => {
    const recorded = { run: { info: { run_id: 'r1', start_time: 5, artifact_uri: 'mlflow-artifacts:/x' }, data: { tags: [{ key: 'a', value: '1' }] } } };
    expect(compareAnswer(recorded, recorded)).toEqual([]);
    expect(compareAnswer(recorded, { run: { info: { run_id: 'r1', start_time: 5, artifact_uri: 'http://h/y' }, data: { tags: [{ key: 'a', value: '1' }], extra: 1 } } })).toEqual([]);
    expect(compareAnswer(recorded, { run: { info: { run_id: 'r1', artifact_uri: 'u' }, data: { tags: [{ key: 'a', value: '1' }] } } })).toEqual(['run.info.start_time: missing']);
    expect(compareAnswer(recorded, { run: { info: { run_id: 'r1', start_time: '5', artifact_uri: 'u' }, data: { tags: [] } } })).toHaveLength(2);
    expect(compareAnswer(recorded, { run: { info: { run_id: 'r2', start_time: 5, artifact_uri: 'u' }, data: { tags: [{ key: 'a', value: '1' }] } } })).toEqual([
      'run.info.run_id: expected "r1", got "r2"',
    ]);
    expect(mapIds({ run_id: 'a'.repeat(32), path: `/x/${'a'.repeat(32)}/y`, n: 3 }, new Map([['a'.repeat(32), 'b'.repeat(32)]]))).toEqual({
      run_id: 'b'.repeat(32),
      path: `/x/${'b'.repeat(32)}/y`,
      n: 3,
    });
  });

  it('answers every tracking request with the fields MLflow answered', async () => {
    const { prefix, token } = await mlflowProject();
    const { mismatches, replayed } = await replay({
      prefix: `${prefix.replace(/\/api\/2\.0\/mlflow$/, '')}`,
      token,
      // MLflow's server tags a logged model with the versions registered from it
      // (`mlflow.modelVersions`); that is the registry's part, not replayed here.
      ignore: (e) => (e.step.startsWith('mlflow.register_model(models:/') && e.method === 'GET' ? ['model.info.tags'] : []),
    });
    expect(replayed).toBeGreaterThan(250);
    expect(mismatches).toEqual([]);
  }, 120000);
});
