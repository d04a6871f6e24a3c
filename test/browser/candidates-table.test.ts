import { afterAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

describe('the candidates table', () => {
  it('picks its columns, keeps them for the user, and folds a parent run', async () => {
    const owner = await seedOwner();
    const ml = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('table') });
    const { run: parent } = await ml('POST', 'runs/create', { experiment_id, run_name: 'sweep-parent', start_time: Date.now() });
    for (let k = 0; k < 3; k++) {
      const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: `trial-${k}`, start_time: Date.now() + k + 1, tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
      await ml('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: String(10 ** -k) }, { key: 'seed', value: '7' }], metrics: [{ key: 'acc', value: 0.5 + k / 10, timestamp: Date.now(), step: 0 }] });
    }
    const { context, page } = await newPage({ viewport: { width: 1000, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    const headings = () => page.locator('table.candidates thead th').allTextContents();
    // metrics first by default
    expect((await headings()).slice(5, 8)).toEqual(['acc', 'lr', 'seed']);

    // the parent's children follow it; fold them away and back
    const kids = page.locator('tr.child');
    expect(await kids.count()).toBe(3);
    const fold = page.getByRole('button', { name: 'Hide the 3 child runs of sweep-parent' });
    await fold.click();
    await expect.poll(() => kids.evaluateAll((rows) => rows.filter((r) => !(r as HTMLElement).hidden).length)).toBe(0);
    await page.getByRole('button', { name: 'Show the 3 child runs of sweep-parent' }).click();
    await expect.poll(() => kids.evaluateAll((rows) => rows.filter((r) => !(r as HTMLElement).hidden).length)).toBe(3);

    // choose the columns: only lr, then remember them
    await page.getByText(/^Columns/).click();
    const chooser = page.getByRole('form', { name: 'Columns to show' });
    await chooser.getByLabel('acc').uncheck();
    await chooser.getByLabel('seed').uncheck();
    await chooser.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL('**col=param%3Alr**');
    expect((await headings()).slice(5)).toEqual(['lr', 'Artifacts', 'Details']);
    await page.getByText(/^Columns/).click();
    await page.getByRole('button', { name: 'Remember these columns for this experiment' }).click();
    await page.waitForLoadState('networkidle');
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    expect((await headings()).slice(5)).toEqual(['lr', 'Artifacts', 'Details']);

    // on a narrow screen the table scrolls sideways, and the name column stays in view
    await page.setViewportSize({ width: 480, height: 800 });
    const name = page.locator('table.candidates tbody tr').first().locator('td').nth(1);
    const before = (await name.boundingBox())!.x;
    const scrolled = await page.locator('.table-wrap').evaluate((el) => {
      el.scrollBy(300, 0);
      return el.scrollLeft;
    });
    expect(scrolled).toBeGreaterThan(100);
    expect(Math.abs((await name.boundingBox())!.x - before)).toBeLessThan(2);
    expect(errors).toEqual([]);
    await context.close();
  });
});
