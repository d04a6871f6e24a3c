import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Download } from 'playwright-core';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner } from './seed';

let owner: Awaited<ReturnType<typeof seedOwner>>;
let candidateUrl: string;
const CSV = 'epoch,loss\n1,0.9\n2,0.5\n3,0.25\n';
// a 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** Uploads an artifact the way the MLflow client does (PUT to the run's artifact URI). */
async function upload(artifactUri: string, path: string, body: string | Buffer, type: string) {
  const res = await fetch(`${artifactUri}/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${owner.token}`, 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  if (res.status !== 200) throw new Error(`upload ${path}: ${res.status} ${await res.text()}`);
}

async function saved(download: Download): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'flaretrack-dl-'));
  await download.saveAs(join(dir, 'file'));
  const bytes = await readFile(join(dir, 'file'));
  await rm(dir, { recursive: true });
  return bytes;
}

beforeAll(async () => {
  owner = await seedOwner();
  const call = mlflow(owner.token, owner.project.id);
  const { experiment_id } = await call('POST', 'experiments/create', { name: 'with-artifacts' });
  const { run } = await call('POST', 'runs/create', { experiment_id, run_name: 'trained', start_time: Date.now() });
  const uri = run.info.artifact_uri as string;
  expect(uri.startsWith(inject('origin'))).toBe(true);
  await upload(uri, 'notes/readme.txt', 'Trained on <b>all</b> the data.\n', 'text/plain');
  await upload(uri, 'history.csv', CSV, 'text/csv');
  await upload(uri, 'config.json', '{"layers":[64,32],"dropout":0.1}', 'application/json');
  await upload(uri, 'plot.png', PNG, 'image/png');
  const rows = await call('POST', 'runs/search', { experiment_ids: [experiment_id] });
  const candidateId = /ml_candidate_(\d+)/.exec(rows.runs[0].info.artifact_uri)![1];
  candidateUrl = `${owner.projectPath}/-/ml/candidates/${candidateId}`;
}, 120_000);

afterAll(disconnect);

describe('artifacts and packages in a browser', () => {
  it('browses a directory, previews text, CSV, JSON and an image, and downloads a file', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(candidateUrl);
    const browser = page.locator('#artifacts');
    await browser.getByRole('link', { name: 'notes/' }).click();
    await expect.poll(() => browser.getByRole('link', { name: 'readme.txt', exact: true }).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('path')).toBe('notes');
    await browser.getByRole('link', { name: 'readme.txt', exact: true }).click();
    await expect.poll(() => browser.locator('pre.preview').textContent()).toBe('Trained on <b>all</b> the data.\n');
    await browser.getByRole('link', { name: 'files', exact: true }).click();
    await browser.getByRole('link', { name: 'history.csv', exact: true }).click();
    await expect.poll(() => browser.locator('table.csv-preview tbody tr').count()).toBe(3);
    expect(await browser.locator('table.csv-preview thead').textContent()).toBe('epochloss');
    await browser.getByRole('link', { name: 'config.json', exact: true }).click();
    // JSON as a typed tree: the value 0.1 is a number under the key dropout
    await expect.poll(() => browser.locator('.json-tree .json-leaf', { hasText: 'dropout' }).locator('.json-number').textContent()).toBe('0.1');
    await browser.getByRole('link', { name: 'plot.png', exact: true }).click();
    const img = browser.locator('img.preview-image');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), browser.getByRole('link', { name: 'Download history.csv' }).click()]);
    expect(download.suggestedFilename()).toBe('history.csv');
    expect((await saved(download)).toString('utf8')).toBe(CSV);
    await context.close();
  });

  it('lists the candidate package on the packages page and downloads from it', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(owner.projectPath);
    await page.getByRole('link', { name: 'Packages' }).click();
    await page.getByLabel('Filter by name').pressSequentially('ml_cand', { delay: 20 });
    await expect.poll(() => new URL(page.url()).searchParams.get('name')).toBe('ml_cand');
    await page.getByRole('link', { name: /^ml_candidate_\d+$/ }).click();
    expect(await page.locator('h1').textContent()).toMatch(/^ml_candidate_\d+$/);
    expect(await page.locator('tbody td.text').allTextContents()).toEqual(['config.json', 'history.csv', 'notes/readme.txt', 'plot.png']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download plot.png' }).click()]);
    expect((await saved(download)).equals(PNG)).toBe(true);
    expect(await page.locator('#package-owner').getByRole('link', { name: 'trained' }).getAttribute('href')).toBe(candidateUrl);
    await page.getByRole('link', { name: 'Files of this run' }).click();
    await page.waitForURL(`**${candidateUrl}#artifacts`);
    await context.close();
  });
});
