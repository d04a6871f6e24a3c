import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { disconnect, newPage, signIn } from './browser';
import { bulkCandidates, mlflow, seedOwner } from './seed';

const XSS = '<img src=x onerror=alert(1)>';
const TOTAL = 1000;
const pad = (i: number) => String(i).padStart(4, '0');

let owner: Awaited<ReturnType<typeof seedOwner>>;
let experimentId: string;
let wave: { runId: string; name: string };

beforeAll(async () => {
  owner = await seedOwner();
  const call = mlflow(owner.token, owner.project.id);
  ({ experiment_id: experimentId } = await call('POST', 'experiments/create', { name: 'tuning' }));
  await bulkCandidates(owner.project.id, Number(experimentId), TOTAL, Date.now() - 3600_000);
  // one more, through the MLflow API: a long history, and an XSS payload as run name, param and tag value
  // (MLflow's key rules refuse it as a key; the workerd tests cover keys)
  const { run } = await call('POST', 'runs/create', { experiment_id: experimentId, run_name: XSS, start_time: Date.now(), tags: [{ key: 'note', value: XSS }] });
  wave = { runId: run.info.run_id, name: XSS };
  const metrics = Array.from({ length: 2000 }, (_, step) => ({ key: 'loss', value: Math.exp(-step / 400) + 0.05 * Math.sin(step / 10), timestamp: Date.now(), step }));
  for (let i = 0; i < metrics.length; i += 1000) await call('POST', 'runs/log-batch', { run_id: run.info.run_id, metrics: metrics.slice(i, i + 1000) });
  await call('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'comment', value: XSS }] });
}, 600_000);

afterAll(disconnect);

async function signedIn(opts: { javaScriptEnabled?: boolean } = {}) {
  const { context, page } = await newPage(opts);
  await signIn(page, owner.username, owner.password);
  return { context, page };
}

const names = (page: Page) => page.locator('#candidates tbody tr td:nth-child(2) a').allTextContents();

describe('the ML pages in a browser', () => {
  it('lists the experiment, opens it, filters as you type and sorts by a metric', async () => {
    const { context, page } = await signedIn();
    const dialogs: string[] = [];
    page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
    await page.goto(`${owner.projectPath}/-/ml/experiments`);
    const row = page.locator('tbody tr', { hasText: 'tuning' });
    expect(await row.locator('td').nth(1).textContent()).toBe(String(TOTAL + 1));
    await row.getByRole('link', { name: 'tuning' }).click();
    await page.waitForURL(`**/-/ml/experiments/${experimentId}`);
    expect(await page.locator('h1').textContent()).toBe('tuning');
    // newest first: the XSS-named candidate shows as text
    expect((await names(page))[0]).toBe(XSS);
    expect(await page.locator('#candidates tbody tr').count()).toBe(30);
    // filter as you type (htmx active search); the URL keeps it
    await page.getByLabel('Filter by name').pressSequentially('run-012', { delay: 30 });
    await expect.poll(() => names(page)).toEqual(Array.from({ length: 10 }, (_, i) => `run-012${9 - i}`));
    expect(new URL(page.url()).searchParams.get('name')).toBe('run-012');
    // sort by the accuracy metric by its column header, then flip the order
    await page.locator('#candidates thead').getByRole('link', { name: /accuracy/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('metric:accuracy');
    const desc = await page.locator('#candidates tbody tr td.num span').allTextContents();
    expect(desc.map(Number)).toEqual([...desc.map(Number)].sort((a, b) => b - a));
    await page.locator('#candidates thead').getByRole('link', { name: /accuracy/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('order')).toBe('asc');
    const asc = (await page.locator('#candidates tbody tr td.num span').allTextContents()).map(Number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    // 4 significant decimals shown, the full value on hover
    const cell = page.locator('#candidates tbody tr td.num span').first();
    expect((await cell.getAttribute('title'))!.length).toBeGreaterThan((await cell.textContent())!.length);
    // the shared URL opens the same view
    const shared = page.url();
    const other = await context.newPage();
    await other.goto(shared);
    expect(await names(other)).toEqual(await names(page));
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('pages through 1000 candidates, 30 at a time, and back with the browser', async () => {
    const { context, page } = await signedIn();
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experimentId}?sort=name&order=asc`);
    const seen: string[] = [];
    for (;;) {
      const rows = await names(page);
      seen.push(...rows);
      const next = page.getByRole('link', { name: 'Next page →' });
      if ((await next.count()) === 0) break;
      const before = rows[0];
      await next.click();
      await expect.poll(async () => (await names(page))[0]).not.toBe(before);
    }
    expect(seen.length).toBe(TOTAL + 1);
    expect(new Set(seen).size).toBe(TOTAL + 1);
    expect(seen.filter((n) => n.startsWith('run-'))).toEqual(Array.from({ length: TOTAL }, (_, i) => `run-${pad(i)}`));
    expect(new URL(page.url()).searchParams.get('page_token')).toBeTruthy();
    const last = await names(page);
    await page.goBack();
    await expect.poll(async () => (await names(page))[0]).not.toBe(last[0]);
    await context.close();
  });

  it('pages without JavaScript too', async () => {
    const { context, page } = await signedIn({ javaScriptEnabled: false });
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experimentId}?sort=name&order=asc`);
    expect((await names(page)).slice(0, 2)).toEqual([XSS, 'run-0000']);
    await page.getByRole('link', { name: 'Next page →' }).click();
    await page.waitForURL(/page_token=/);
    expect((await names(page))[0]).toBe('run-0029');
    await page.getByLabel('Filter by name').fill('run-099');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/name=run-099/);
    expect((await names(page)).length).toBe(10);
    await context.close();
  });

  it('downloads the CSV of every candidate', async () => {
    const { context, page } = await signedIn();
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experimentId}?sort=name&order=asc`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('tuning-candidates.csv');
    const dir = await mkdtemp(join(tmpdir(), 'flaretrack-csv-'));
    await download.saveAs(join(dir, 'candidates.csv'));
    const csv = await readFile(join(dir, 'candidates.csv'), 'utf8');
    await rm(dir, { recursive: true });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('run_id,name,status,user,start_time,end_time,params.comment,params.lr,params.optimizer,metrics.accuracy,metrics.loss');
    expect(lines.length).toBe(TOTAL + 2);
    expect(lines[1]).toMatch(/^<img src=x onerror=alert\(1\)>|^[0-9a-f]{32},/);
    const first = lines.find((l) => l.includes(',run-0001,'))!;
    expect(first).toMatch(/^[0-9a-f]{32},run-0001,FINISHED,alice,[^,]+,[^,]+,,0\.01,adam,0\.0371234\d*,$/);
    await context.close();
  });

  it('opens a candidate and draws its metric chart', async () => {
    const { context, page } = await signedIn();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experimentId}`);
    await page.locator('#candidates tbody tr').first().getByRole('link', { name: 'Details' }).click();
    await page.waitForURL(/\/-\/ml\/candidates\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe(XSS);
    expect(await page.locator('#run-id').textContent()).toBe(wave.runId);
    expect(await page.locator('table', { hasText: 'Value' }).first().textContent()).toContain(XSS);
    const chart = page.locator('.chart-canvas[data-drawn]');
    await chart.waitFor({ timeout: 15_000 });
    const drawn = Number(await chart.getAttribute('data-drawn'));
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeLessThanOrEqual(300);
    // the canvas holds a drawn line (non-transparent pixels)
    const inked = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(500);
    // back to the experiment through the breadcrumb
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'tuning' }).click();
    await page.waitForURL(`**/-/ml/experiments/${experimentId}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
