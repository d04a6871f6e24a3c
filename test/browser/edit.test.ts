import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

let owner: Awaited<ReturnType<typeof seedOwner>>;

beforeAll(async () => {
  owner = await seedOwner();
}, 120_000);

afterAll(disconnect);

describe('editing in a browser', () => {
  it('creates, renames, deletes and restores an experiment', async () => {
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments`);
    await page.getByRole('link', { name: 'New experiment' }).click();
    const name = unique('vision-');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel(/Description/).fill('ResNet sweeps');
    await page.getByLabel(/Tags/).fill('team=vision');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.waitForURL(/\/-\/ml\/experiments\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe(name);
    expect(await page.locator('.experiment-actions .description').textContent()).toBe('ResNet sweeps');

    await page.getByRole('link', { name: 'Edit experiment' }).click();
    await page.getByLabel('Name').fill(`${name}-v2`);
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL(/\/-\/ml\/experiments\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe(`${name}-v2`);

    // a name already taken is refused in place
    const taken = unique('taken-');
    await mlflow(owner.token, owner.project.id)('POST', 'experiments/create', { name: taken });
    await page.getByRole('link', { name: 'Edit experiment' }).click();
    await page.getByLabel('Name').fill(taken);
    await page.getByRole('button', { name: 'Rename' }).click();
    expect(await page.getByRole('alert').textContent()).toBe(`Experiment(name=${taken}) already exists.`);
    await page.getByRole('button', { name: 'Delete experiment' }).click();
    await page.waitForURL(/deleted=1/);
    const row = page.locator('#experiments tbody tr', { hasText: `${name}-v2` });
    await expect.poll(() => row.count()).toBe(1);
    await page.goto(`${owner.projectPath}/-/ml/experiments`);
    expect(await page.locator('#experiments').textContent()).not.toContain(`${name}-v2`);
    await page.getByLabel('Show deleted').check();
    await expect.poll(() => page.locator('#experiments tbody tr', { hasText: `${name}-v2` }).count()).toBe(1);
    await page.getByRole('button', { name: `Restore ${name}-v2` }).click();
    await page.waitForURL(/\/-\/ml\/experiments\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe(`${name}-v2`);
    await page.goto(`${owner.projectPath}/-/ml/experiments`);
    expect(await page.locator('#experiments').textContent()).toContain(`${name}-v2`);
    await context.close();
  });

  it("edits a candidate's note, with JavaScript off too", async () => {
    const call = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await call('POST', 'experiments/create', { name: unique('notes-') });
    const { run } = await call('POST', 'runs/create', { experiment_id, run_name: 'noted', start_time: Date.now() });
    for (const javaScriptEnabled of [true, false]) {
      const { context, page } = await newPage({ javaScriptEnabled });
      await signIn(page, owner.username, owner.password);
      await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
      await page.getByRole('link', { name: 'noted', exact: true }).click();
      await page.getByRole('link', { name: 'Edit candidate' }).click();
      const note = `Best run so far (${javaScriptEnabled ? 'js' : 'no js'})`;
      await page.getByRole('textbox', { name: 'Note', exact: true }).fill(note);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.waitForURL(/\/-\/ml\/candidates\/\d+$/);
      expect(await page.locator('.candidate-note').textContent()).toBe(note);
      const got = await call('GET', `runs/get?run_id=${run.info.run_id}`);
      expect(got.run.data.tags).toContainEqual({ key: 'mlflow.note.content', value: note });
      await context.close();
    }
  });
});
