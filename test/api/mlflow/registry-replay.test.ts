import { describe, expect, it } from 'vitest';
import { isTrackingExchange, recordedExchanges, replay, type Exchange } from '../../mlflow-replay';
import { mlflowProject } from './mlflow-helpers';

const isRegistryExchange = (e: Exchange) => /^\/api\/2\.0\/mlflow\/(registered-models|model-versions)\//.test(e.path);

/** The JSON paths of every `run_link` in a recorded answer: MLflow leaves it empty, this server links the candidate's page. */
function runLinkPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => runLinkPaths(v, `${path}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const sub = path ? `${path}.${k}` : k;
      return k === 'run_link' ? [sub] : runLinkPaths(v, sub);
    });
  }
  return [];
}

describe('the recorded MLflow client, replayed against the registry', () => {
  it('holds the registry requests of the recording', () => {
    const registry = recordedExchanges().filter(isRegistryExchange);
    expect(registry.length).toBeGreaterThanOrEqual(25);
    expect(new Set(registry.map((e) => `${e.method} ${e.path}`))).toEqual(
      new Set([
        'POST /api/2.0/mlflow/registered-models/create',
        'POST /api/2.0/mlflow/model-versions/create',
        'GET /api/2.0/mlflow/model-versions/get',
        'GET /api/2.0/mlflow/model-versions/search',
        'GET /api/2.0/mlflow/registered-models/get',
        'POST /api/2.0/mlflow/registered-models/alias',
        'GET /api/2.0/mlflow/registered-models/alias',
        'GET /api/2.0/mlflow/registered-models/search',
        'PATCH /api/2.0/mlflow/model-versions/update',
        'POST /api/2.0/mlflow/model-versions/set-tag',
        'DELETE /api/2.0/mlflow/registered-models/alias',
        'GET /api/2.0/mlflow/model-versions/get-download-uri',
      ]),
    );
  });

  it('answers every registry request with the fields MLflow answered', async () => {
    const { prefix, token } = await mlflowProject();
    // up to the end of the last registration (which reads the logged model back)
    const last = Math.max(...recordedExchanges().filter((e) => isRegistryExchange(e) || e.step.startsWith('mlflow.register_model(')).map((e) => e.index));
    const modelVersionsTags: string[] = [];
    const { mismatches, replayed } = await replay({
      prefix: prefix.replace(/\/api\/2\.0\/mlflow$/, ''),
      token,
      // the runs and logged models the registry refers to come from the tracking requests before it
      include: (e) => e.index <= last && (isTrackingExchange(e) || isRegistryExchange(e)),
      ignore: (e) => [
        ...runLinkPaths(e.response),
        // MLflow's server writes this tag with Python's JSON spacing; its content is checked below
        ...(e.step.startsWith('mlflow.register_model(models:/') && e.method === 'GET' ? ['model.info.tags'] : []),
      ],
      onAnswer: (e, status, body, ids) => {
        const info = (body as { run?: { info?: { run_id: string; artifact_uri: string; experiment_id: string } } } | null)?.run?.info;
        // MLflow's own artifact layout (`<experiment>/<run>/artifacts`) is this server's run artifact URI
        if (status === 200 && info && e.path.endsWith('/runs/create')) ids.set(`mlflow-artifacts:/${[...ids].find(([, v]) => v === info.experiment_id)?.[0]}/${info.run_id}/artifacts`, info.artifact_uri);
        const tags = (body as { model?: { info?: { tags?: { key: string; value: string }[] } } } | null)?.model?.info?.tags;
        const listed = tags?.find((t) => t.key === 'mlflow.modelVersions');
        if (e.step.startsWith('mlflow.register_model(models:/') && listed) modelVersionsTags.push(listed.value);
      },
    });
    expect(replayed).toBeGreaterThan(200);
    expect(mismatches).toEqual([]);
    // registering the logged model twice listed both versions on it, as MLflow's server does
    expect(JSON.parse(modelVersionsTags[0])).toEqual([
      { name: 'demo-model', version: 3 },
      { name: 'demo-model', version: 4 },
    ]);
  }, 180000);
});
