import { afterAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

describe('model registry pages', () => {
  it('promotes a candidate, finds the version on the model page, and sets an alias', async () => {
    const owner = await seedOwner();
    const ml = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('reg') });
    await ml('POST', 'runs/create', { experiment_id, run_name: 'winner', start_time: Date.now() });
    const candidatePage = `${owner.projectPath}/-/ml/candidates`;
    const { context, page } = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    await page.getByRole('link', { name: 'winner' }).first().click();
    await page.waitForURL(`**${candidatePage}/**`);
    await page.getByRole('link', { name: 'Promote to model version' }).click();
    const model = unique('classifier');
    await page.getByLabel('Model name').fill(model);
    await page.getByLabel('Version description').fill('the first good one');
    await page.getByRole('button', { name: 'Promote' }).click();
    await page.waitForURL(`**/-/ml/models/${model}/versions/1`);
    expect(await page.locator('#source-candidate').textContent()).toBe('winner');

    // the model's page lists it, linking back to the candidate
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: model }).click();
    await page.waitForURL(`**/-/ml/models/${model}`);
    const row = page.locator('table.versions tbody tr').first();
    expect(await row.textContent()).toContain('Version 1');
    expect(await row.getByRole('link', { name: 'winner' }).getAttribute('href')).toMatch(/\/-\/ml\/candidates\/\d+$/);

    // set an alias and see it on the model page and in the models list
    await page.getByRole('textbox', { name: 'Alias', exact: true }).fill('champion');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.waitForURL(`**/-/ml/models/${model}#aliases-title`);
    expect(await row.textContent()).toContain('@champion');
    await page.goto(`${owner.projectPath}/-/ml/models`);
    await page.getByLabel('Search by name').fill(model.slice(0, -2));
    await expect.poll(() => page.locator('#models').textContent()).toContain('@champion → v1');
    expect(errors).toEqual([]);
    await context.close();
  });
});
