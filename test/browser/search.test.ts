import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner } from './seed';

let owner: Awaited<ReturnType<typeof seedOwner>>;
let experimentId: string;

beforeAll(async () => {
  owner = await seedOwner();
  const call = mlflow(owner.token, owner.project.id);
  ({ experiment_id: experimentId } = await call('POST', 'experiments/create', { name: 'search-me' }));
  const runs: [string, string, number][] = [
    ['cnn-good', 'cnn', 0.95],
    ['cnn-bad', 'cnn', 0.7],
    ['mlp-good', 'mlp', 0.93],
    ['rnn-poor', 'rnn', 0.1],
  ];
  for (const [name, model, acc] of runs) {
    const { run } = await call('POST', 'runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() });
    await call('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'model', value: model }], metrics: [{ key: 'acc', value: acc, timestamp: Date.now(), step: 0 }] });
    await call('POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
  }
}, 120_000);

afterAll(disconnect);

const names = async (page: Page) => (await page.locator('#candidates tbody tr td:nth-child(2) a').allTextContents()).sort();

describe('searching candidates in a browser', () => {
  it('filters with a metric and a param, then with an OR, shows a bad filter inline, keeps the query in the URL', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experimentId}`);
    expect(await names(page)).toEqual(['cnn-bad', 'cnn-good', 'mlp-good', 'rnn-poor']);
    const box = page.getByLabel('Filter', { exact: true });
    await box.fill("metrics.acc > 0.9 and params.model = 'cnn'");
    await box.press('Enter');
    await expect.poll(() => names(page)).toEqual(['cnn-good']);
    await expect.poll(() => new URL(page.url()).searchParams.get('filter')).toBe("metrics.acc > 0.9 and params.model = 'cnn'");

    await box.fill("params.model = 'mlp' OR metrics.acc < 0.2");
    await box.press('Enter');
    await expect.poll(() => names(page)).toEqual(['mlp-good', 'rnn-poor']);

    await box.fill('metrics.acc >> 1');
    await box.press('Enter');
    const alert = page.locator('#candidates [role="alert"]');
    await expect.poll(() => alert.textContent()).toContain('Invalid filter at column 14');
    expect(await page.locator('#candidates .filter-caret').textContent()).toBe('metrics.acc >> 1\n' + ' '.repeat(13) + '^');

    // quick filter composed with the filter box; the shared URL opens the same view
    await box.fill('metrics.acc > 0.5');
    await page.getByLabel('Status').selectOption('FINISHED');
    await box.press('Enter');
    await expect.poll(() => names(page)).toEqual(['cnn-bad', 'cnn-good', 'mlp-good']);
    const other = await context.newPage();
    await other.goto(page.url());
    expect(await names(other)).toEqual(['cnn-bad', 'cnn-good', 'mlp-good']);
    expect(await other.getByLabel('Filter', { exact: true }).inputValue()).toBe('metrics.acc > 0.5');
    await context.close();
  });
});
