import { afterAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

describe('comparing candidates', () => {
  it('picks three candidates, reads the differing params and sees their curves overlaid with a legend', async () => {
    const owner = await seedOwner();
    const ml = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('cmp') });
    const names = ['alpha-run', 'beta-run', 'gamma-run'];
    for (const [i, run_name] of names.entries()) {
      const { run } = await ml('POST', 'runs/create', { experiment_id, run_name, start_time: Date.now() + i });
      const metrics = Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: (i + 1) / (step + 1), timestamp: Date.now(), step }));
      await ml('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: String(10 ** -(i + 1)) }, { key: 'optimizer', value: 'adam' }], metrics });
    }
    const { context, page } = await newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    // tick each while the table shows only it (filtered as you type): the selection is kept
    for (const name of names) {
      await page.getByLabel('Filter by name').fill(name);
      await expect.poll(() => page.locator('table.candidates tbody tr').count()).toBe(1);
      await page.getByLabel(`Select ${name} to compare`).check();
    }
    await expect.poll(() => page.locator('#compare-count').textContent()).toContain('3 selected, some on other pages');
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await page.waitForURL('**/compare?**');
    expect(await page.locator('h1').textContent()).toBe('Compare candidates');

    // the differing param is marked, the shared one is not
    const lr = page.locator('#params-table tr', { has: page.locator('th', { hasText: /^lr/ }) });
    expect(await lr.getAttribute('class')).toBe('differs');
    expect(await lr.textContent()).toContain('≠ differs');
    const optimizer = page.locator('#params-table tr', { has: page.locator('th', { hasText: /^optimizer/ }) });
    expect(await optimizer.getAttribute('class')).toBeNull();
    // "show only differences" hides it
    await page.getByLabel('Show only differences').check();
    await page.waitForURL('**only_diff=1**');
    expect(await page.locator('#params-table tbody tr').count()).toBe(1);

    // the loss curves: drawn, one line per candidate, the legend names all three
    const chart = page.locator('.compare-chart').first();
    await expect.poll(() => chart.getAttribute('data-drawn')).toBe('3');
    expect(await chart.locator('canvas').count()).toBe(1);
    const legend = await chart.locator('.u-legend').textContent();
    for (const name of names) expect(legend).toContain(name);
    // best loss is the lowest: alpha-run's
    const best = page.locator('#metrics-table td.best');
    expect(await best.count()).toBe(1);
    expect(await page.locator('#legend').textContent()).toContain('gamma-run');
    // the across-candidates chart is drawn too
    await expect.poll(() => page.locator('.across-chart').getAttribute('data-drawn')).toBe('3');
    expect(errors).toEqual([]);
    await context.close();
  });
});
