import { describe, expect, it } from 'vitest';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

async function logSteps(api: Awaited<ReturnType<typeof mlflowProject>>['api'], runId: string, key: string, steps: number[]) {
  for (let i = 0; i < steps.length; i += 1000) {
    const metrics = steps.slice(i, i + 1000).map((step) => ({ key, value: step / 10, timestamp: 1000 + step, step }));
    const res = await api('POST', '/runs/log-batch', { run_id: runId, metrics });
    expect(res.status).toBe(200);
  }
}

describe('metrics/get-history', () => {
  it('pages through the whole history in order with page tokens', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    await logSteps(api, runId, 'loss', Array.from({ length: 25 }, (_, i) => 24 - i));
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: '10', ...(token ? { page_token: token } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.metrics.map((m: { step: number }) => m.step));
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const all = await api('GET', '/metrics/get-history', { run_uuid: runId, metric_key: 'loss' });
    expect(all.body.metrics).toHaveLength(25);
    expect(all.body.metrics[3]).toEqual({ key: 'loss', value: 0.3, timestamp: 1003, step: 3 });
    expect(all.body.next_page_token).toBeUndefined();
    const large = await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: '30000' });
    expect(large.body.metrics).toHaveLength(25);
    expect(large.body.next_page_token).toBeUndefined();
  });

  it('streams a history longer than a page whole when no max_results is given', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    await logSteps(api, runId, 'loss', Array.from({ length: 26_000 }, (_, i) => i));
    const all = await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'loss' });
    expect(all.status).toBe(200);
    expect(all.body.metrics).toHaveLength(26_000);
    expect(all.body.metrics.every((m: { step: number; value: number; timestamp: number }, i: number) => m.step === i && m.value === i / 10 && m.timestamp === 1000 + i)).toBe(true);
    expect(all.body.next_page_token).toBeUndefined();
  });

  it('answers {} for a metric never logged, and MLflow errors for bad input', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    expect((await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'none' })).body).toEqual({});
    expect((await api('GET', '/metrics/get-history', { run_id: 'a'.repeat(32), metric_key: 'm' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await api('GET', '/metrics/get-history', { run_id: runId })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'm', page_token: '!!' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('GET', '/metrics/get-history', { run_id: runId, metric_key: 'm', max_results: '0' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('metrics/get-history-bulk-interval', () => {
  it('returns every point when a run has no more than max_results', async () => {
    const { api } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    await logSteps(api, runId, 'acc', [0, 1, 2, 5, 9]);
    const res = await api('GET', '/metrics/get-history-bulk-interval', { run_ids: runId, metric_key: 'acc', max_results: '10' });
    expect(res.status).toBe(200);
    expect(res.body.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1, 2, 5, 9]);
    expect(res.body.metrics[0]).toEqual({ key: 'acc', value: 0, timestamp: 1000, step: 0, run_id: runId });
  });

  it('samples at most max_results steps per run, evenly spread, keeping the first and last, aligned across runs', async () => {
    const { api, prefix, token } = await mlflowProject();
    const { experimentId, runId: a } = await experimentWithRun(api);
    const b = (await api('POST', '/runs/create', { experiment_id: experimentId })).body.run.info.run_id;
    const steps = Array.from({ length: 2000 }, (_, i) => i);
    await logSteps(api, a, 'loss', steps);
    await logSteps(api, b, 'loss', steps);
    const url = `${prefix}/metrics/get-history-bulk-interval?run_ids=${a}&run_ids=${b}&metric_key=loss&max_results=50`;
    const res = await (await import('../../helpers')).callJson('GET', url, { token });
    expect(res.status).toBe(200);
    const forA = res.body.metrics.filter((m: { run_id: string }) => m.run_id === a).map((m: { step: number }) => m.step);
    const forB = res.body.metrics.filter((m: { run_id: string }) => m.run_id === b).map((m: { step: number }) => m.step);
    expect(forA.length).toBeLessThanOrEqual(50);
    expect(forA.length).toBeGreaterThanOrEqual(45);
    expect(forA[0]).toBe(0);
    expect(forA[forA.length - 1]).toBe(1999);
    expect(forB).toEqual(forA);
    expect(res.body.metrics[0].run_id).toBe(a);
    const gaps = forA.slice(1).map((s: number, i: number) => s - forA[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil(2000 / 49) + 1);
    const ranged = await api('GET', '/metrics/get-history-bulk-interval', { run_ids: a, metric_key: 'loss', start_step: '100', end_step: '199', max_results: '10' });
    const rangedSteps = ranged.body.metrics.map((m: { step: number }) => m.step);
    expect(rangedSteps[0]).toBe(100);
    expect(rangedSteps[rangedSteps.length - 1]).toBe(199);
    expect(rangedSteps.length).toBeLessThanOrEqual(10);
  });

  it('refuses bad ranges, too many runs and runs of other projects', async () => {
    const { api, token } = await mlflowProject();
    const other = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const { runId: foreign } = await experimentWithRun(other.api);
    const cases: Record<string, string>[] = [
      { run_ids: runId, metric_key: 'm', start_step: '5' },
      { run_ids: runId, metric_key: 'm', start_step: '5', end_step: '1' },
      { run_ids: runId, metric_key: 'm', max_results: '0' },
      { run_ids: runId, metric_key: 'm', max_results: '2501' },
      { metric_key: 'm' },
    ];
    for (const q of cases) expect((await api('GET', '/metrics/get-history-bulk-interval', q)).body.error_code, JSON.stringify(q)).toBe('INVALID_PARAMETER_VALUE');
    const many = Array.from({ length: 101 }, (_, i) => `run_ids=${i.toString(16).padStart(32, '0')}`).join('&');
    const { callJson } = await import('../../helpers');
    const tooMany = await callJson('GET', `/api/v4/projects/${(await api('GET', '/runs/get', { run_id: runId })).body.run.info.artifact_uri.match(/projects\/(\d+)/)[1]}/ml/mlflow/api/2.0/mlflow/metrics/get-history-bulk-interval?${many}&metric_key=m`, { token });
    expect(tooMany.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(tooMany.body.message).toContain('100');
    const foreignRes = await api('GET', '/metrics/get-history-bulk-interval', { run_ids: foreign, metric_key: 'm' });
    expect(foreignRes.status).toBe(404);
    expect(foreignRes.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
