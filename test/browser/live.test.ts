import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

let owner: Awaited<ReturnType<typeof seedOwner>>;

beforeAll(async () => {
  owner = await seedOwner();
}, 120_000);

afterAll(disconnect);

describe('a running candidate in a browser', () => {
  it("grows its chart and its table row while a client logs metrics, and stops once the run ends", async () => {
    const call = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await call('POST', 'experiments/create', { name: unique('live-') });
    const { run } = await call('POST', 'runs/create', { experiment_id, run_name: 'training', start_time: Date.now() });
    const runId = run.info.run_id;
    let step = 0;
    const log = async (n: number) => {
      const metrics = Array.from({ length: n }, () => ({ key: 'loss', value: 1 / (1 + step), timestamp: Date.now(), step: step++ }));
      await call('POST', 'runs/log-batch', { run_id: runId, metrics });
    };
    await log(5);

    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    const row = page.locator('#candidates tbody tr', { hasText: 'training' });
    expect(await row.locator('.status').textContent()).toBe('RUNNING');
    expect(await row.locator('td.num span').first().textContent()).toBe('0.2');
    await log(5); // loss at step 9 is 0.1
    await expect.poll(() => row.locator('td.num span').first().textContent()).toBe('0.1');

    await row.getByRole('link', { name: 'training' }).click();
    await page.waitForURL(/\/-\/ml\/candidates\/\d+$/);
    const chart = page.locator('#chart-loss .chart-canvas');
    await expect.poll(() => chart.getAttribute('data-drawn')).toBe('10');
    expect(await page.locator('#metrics-section .live-status').textContent()).toContain('Live');
    expect(await page.locator('#candidate-status').textContent()).toBe('RUNNING');
    await log(10);
    await expect.poll(() => chart.getAttribute('data-drawn')).toBe('20');
    await expect.poll(() => page.locator('#chart-loss canvas').count()).toBe(1); // the new chart replaced the old one
    await log(5);
    await expect.poll(() => chart.getAttribute('data-drawn')).toBe('25');

    expect(await page.locator('#candidate-duration').textContent()).toBe('still running');
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    // what the client logs besides metrics before the end: a param and a file
    await call('POST', 'runs/log-parameter', { run_id: runId, key: 'late_param', value: 'set-at-the-end' });
    const upload = await fetch(`${inject('origin')}/api/v4/projects/${owner.project.id}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${run.info.artifact_uri.split('/mlflow-artifacts/artifacts/')[1]}/summary.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'text/plain' },
      body: 'final summary',
    });
    expect(upload.status).toBe(200);
    await call('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
    await expect.poll(() => page.locator('#metrics-section .live-status .status').textContent()).toBe('FINISHED');
    expect(await page.locator('#metrics-section').getAttribute('hx-trigger')).toBeNull();
    await expect.poll(() => page.locator('#candidate-status').textContent()).toBe('FINISHED');
    // every section settles without a reload: end time, duration, params, files
    await expect.poll(() => page.locator('#candidate-duration').textContent()).toMatch(/^\d/);
    expect(await page.locator('#candidate-ended time').count()).toBe(1);
    expect(await page.locator('#params + .table-wrap').textContent()).toContain('set-at-the-end');
    expect(await page.locator('#artifacts').getByRole('link', { name: 'summary.txt', exact: true }).count()).toBe(1);
    expect(await page.locator('[data-live="running"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true); // no reload
    await expect.poll(() => chart.getAttribute('data-drawn')).toBe('25');
    // Logged after the end (MLflow allows it): the page no longer asks, so the chart stays as it was.
    await log(5);
    await page.waitForTimeout(5000);
    expect(await chart.getAttribute('data-drawn')).toBe('25');
    await context.close();
  });
});
