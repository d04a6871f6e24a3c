import { describe, expect, it } from 'vitest';
import { AccessLevel } from '../../../src/access/policy';
import { seedMember, seedUser } from '../../helpers';
import { mlflowProject } from './mlflow-helpers';

type Api = Awaited<ReturnType<typeof mlflowProject>>['api'];

async function seedRuns(api: Api) {
  const experimentId = (await api('POST', '/experiments/create', { name: 'search-me' })).body.experiment_id;
  const runs: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await api('POST', '/runs/create', { experiment_id: experimentId, run_name: `run-${i}`, start_time: 1000 + i, tags: [{ key: 'team', value: i % 2 ? 'odd' : 'even' }] });
    const runId = run.body.run.info.run_id;
    await api('POST', '/runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: `0.0${i}` }], metrics: [{ key: 'loss', value: 1 / (i + 1), timestamp: 1, step: 0 }] });
    runs.push(runId);
  }
  return { experimentId, runs };
}

describe('runs/search', () => {
  it('filters, orders and pages runs, loading their data', async () => {
    const { api } = await mlflowProject();
    const { experimentId, runs } = await seedRuns(api);
    const filtered = await api('POST', '/runs/search', {
      experiment_ids: [experimentId],
      filter: "metrics.loss < 0.6 and tags.team = 'even'",
      order_by: ['metrics.loss ASC'],
    });
    expect(filtered.status).toBe(200);
    expect(filtered.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runs[4], runs[2]]);
    const first = filtered.body.runs[0];
    expect(first.data.params).toEqual([{ key: 'lr', value: '0.04' }]);
    expect(first.data.metrics).toEqual([{ key: 'loss', value: 0.2, timestamp: 1, step: 0 }]);
    expect(first.data.tags).toContainEqual({ key: 'team', value: 'even' });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await api('POST', '/runs/search', { experiment_ids: [experimentId], max_results: 2, ...(token ? { page_token: token } : {}) });
      seen.push(...page.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual([...runs].reverse());
    const viaGet = await api('GET', '/runs/search', { experiment_ids: experimentId, filter: "params.lr = '0.01'" });
    expect(viaGet.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runs[1]]);
  });

  it('sees deleted runs only when asked, and answers {} when nothing matches', async () => {
    const { api } = await mlflowProject();
    const { experimentId, runs } = await seedRuns(api);
    await api('POST', '/runs/delete', { run_id: runs[0] });
    const active = await api('POST', '/runs/search', { experiment_ids: [experimentId] });
    expect(active.body.runs).toHaveLength(4);
    const deleted = await api('POST', '/runs/search', { experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' });
    expect(deleted.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runs[0]]);
    expect((await api('POST', '/runs/search', { experiment_ids: [experimentId], run_view_type: 'ALL' })).body.runs).toHaveLength(5);
    expect((await api('POST', '/runs/search', { experiment_ids: [experimentId], filter: "tags.team = 'none'" })).body).toEqual({});
    expect((await api('POST', '/runs/search', { experiment_ids: ['9999'] })).body).toEqual({});
  });

  it('answers INVALID_PARAMETER_VALUE for a malformed filter or max_results out of range', async () => {
    const { api } = await mlflowProject();
    const { experimentId } = await seedRuns(api);
    const bad = await api('POST', '/runs/search', { experiment_ids: [experimentId], filter: "metrics.loss <<< 'x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('POST', '/runs/search', { experiment_ids: [experimentId], max_results: 50001 })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('POST', '/runs/search', { experiment_ids: [experimentId], max_results: 0 })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it("answers a max_results out of range in MLflow's words, the same in every search", async () => {
    const { api } = await mlflowProject();
    const { experimentId } = await seedRuns(api);
    const refusal = (message: string) => ({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message } });
    const tooLarge = (max: number) => refusal(`Invalid value ${max + 1} for parameter 'max_results' supplied. It must be at most ${max}`);
    const notPositive = refusal("Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer");
    expect(await api('POST', '/runs/search', { experiment_ids: [experimentId], max_results: 50001 })).toEqual(tooLarge(50000));
    expect(await api('POST', '/runs/search', { experiment_ids: [experimentId], max_results: 0 })).toEqual(notPositive);
    expect(await api('POST', '/runs/search', { experiment_ids: ['999999'], max_results: 0 })).toEqual(notPositive);
    expect(await api('POST', '/experiments/search', { max_results: 50001 })).toEqual(tooLarge(50000));
    expect(await api('GET', '/registered-models/search', { max_results: '1001' })).toEqual(tooLarge(1000));
    expect(await api('GET', '/model-versions/search', { max_results: '200001' })).toEqual(tooLarge(200000));
    expect(await api('POST', '/logged-models/search', { experiment_ids: [experimentId], max_results: 0 })).toEqual(notPositive);
    expect(await api('GET', '/metrics/get-history-bulk-interval', { run_ids: 'x', metric_key: 'm', max_results: '2501' })).toEqual(tooLarge(2500));
  });

  it('never shows runs of another project, even by its experiment id', async () => {
    const mine = await mlflowProject();
    const theirs = await mlflowProject();
    const { experimentId } = await seedRuns(theirs.api);
    await mine.api('POST', '/experiments/create', { name: 'mine' });
    const res = await mine.api('POST', '/runs/search', { experiment_ids: [experimentId] });
    expect(res.status).toBe(200);
    expect(res.body.runs ?? []).toEqual([]);
  });

  it('lets a read_api token search with POST', async () => {
    const { api, project } = await mlflowProject();
    const { experimentId } = await seedRuns(api);
    const reader = await seedUser({ scopes: ['read_api'] });
    await seedMember(project.id, reader.user.id, AccessLevel.developer);
    const res = await api('POST', '/runs/search', { experiment_ids: [experimentId] }, reader.token);
    expect(res.status).toBe(200);
    expect(res.body.runs).toHaveLength(5);
    expect((await api('POST', '/experiments/search', {}, reader.token)).status).toBe(200);
    expect((await api('POST', '/logged-models/search', { experiment_ids: [experimentId] }, reader.token)).status).toBe(200);
  });
});

describe('experiments/search', () => {
  it('filters by name and tags, orders, pages, and respects view_type', async () => {
    const { api } = await mlflowProject();
    for (const name of ['demo-a', 'demo-b', 'other']) await api('POST', '/experiments/create', { name, tags: [{ key: 'kind', value: name.split('-')[0] }] });
    const res = await api('POST', '/experiments/search', { filter: "name LIKE 'demo%'", order_by: ['name DESC'], view_type: 'ACTIVE_ONLY', max_results: 1000 });
    expect(res.body.experiments.map((e: { name: string }) => e.name)).toEqual(['demo-b', 'demo-a']);
    expect(res.body.experiments[0].tags).toEqual([{ key: 'kind', value: 'demo' }]);
    const page = await api('GET', '/experiments/search', { max_results: '2', order_by: 'name ASC' });
    expect(page.body.experiments.map((e: { name: string }) => e.name)).toEqual(['demo-a', 'demo-b']);
    const next = await api('GET', '/experiments/search', { max_results: '2', order_by: 'name ASC', page_token: page.body.next_page_token });
    expect(next.body.experiments.map((e: { name: string }) => e.name)).toEqual(['other']);
    await api('POST', '/experiments/delete', { experiment_id: '3' });
    expect((await api('POST', '/experiments/search', { view_type: 'DELETED_ONLY' })).body.experiments.map((e: { name: string }) => e.name)).toEqual(['other']);
    expect((await api('POST', '/experiments/search', { filter: 'name = ' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('logged-models/search', () => {
  it('answers {} with no models, and finds models by name', async () => {
    const { api } = await mlflowProject();
    const experimentId = (await api('POST', '/experiments/create', { name: 'lm' })).body.experiment_id;
    expect((await api('POST', '/logged-models/search', { experiment_ids: [experimentId], filter: "name = 'outputs'" })).body).toEqual({});
    const id = (await api('POST', '/logged-models', { experiment_id: experimentId, name: 'outputs' })).body.model.info.model_id;
    await api('POST', '/logged-models', { experiment_id: experimentId, name: 'other' });
    const found = await api('POST', '/logged-models/search', { experiment_ids: [experimentId], filter: "name = 'outputs'" });
    expect(found.body.models.map((m: { info: { model_id: string } }) => m.info.model_id)).toEqual([id]);
    expect((await api('POST', '/logged-models/search', { experiment_ids: [experimentId] })).body.models).toHaveLength(2);
  });
});
