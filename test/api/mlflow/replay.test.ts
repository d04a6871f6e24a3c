import { describe, expect, it } from 'vitest';
import { isTrackingExchange, recordedExchanges, replay } from '../../mlflow-replay';
import { mlflowProject } from './mlflow-helpers';

describe('the recorded MLflow client, replayed', () => {
  it('holds every tracking request of the recording', () => {
    const tracking = recordedExchanges().filter(isTrackingExchange);
    expect(tracking.length).toBeGreaterThan(250);
    expect(new Set(tracking.map((e) => e.path.replace(/m-[0-9a-f]{32}/, ':id')))).toContain('/api/2.0/mlflow/logged-models/:id/tags');
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
