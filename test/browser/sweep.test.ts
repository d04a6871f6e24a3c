import { afterAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

/** An experiment of `n` runs with params lr and depth and metrics acc (one value) and loss (a curve); run-k has acc k/n. */
async function seedSweep(n: number) {
  const owner = await seedOwner();
  const ml = mlflow(owner.token, owner.project.id);
  const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('sweep') });
  const t0 = Date.now();
  for (let k = 0; k < n; k++) {
    const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: `run-${k}`, start_time: t0 + k });
    const loss = Array.from({ length: 30 }, (_, step) => ({ key: 'loss', value: 10 ** (2 - step / 5) * (1 + k / n), timestamp: t0 + step * 1000, step }));
    await ml('POST', 'runs/log-batch', {
      run_id: run.info.run_id,
      params: [{ key: 'lr', value: String(10 ** -(k % 4)) }, { key: 'depth', value: String(2 + (k % 5)) }],
      metrics: [{ key: 'acc', value: k / n, timestamp: t0, step: 0 }, ...loss],
    });
    // finished: a running candidate's page replaces its charts every 2 s, which would undo a zoom mid-test
    await ml('POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: t0 + 60_000 });
  }
  return { owner, experiment_id };
}

describe('sweep analysis and charts', () => {
  it('finds the best candidates by brushing parallel coordinates and opens them as a comparison', async () => {
    const { owner, experiment_id } = await seedSweep(24);
    const { context, page } = await newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    await page.getByRole('link', { name: 'Sweep analysis' }).click();
    await page.waitForURL('**/sweep**');

    // choose the colour metric and the axes: params lr and depth, metric acc
    await page.getByLabel('Colour by metric').selectOption('acc');
    await page.getByText(/^Axes/).click();
    for (const name of ['lr', 'depth']) await page.getByRole('group', { name: 'Params' }).getByLabel(name).check();
    await page.getByRole('group', { name: 'Metrics' }).getByLabel('acc').check();
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL('**color=acc**');
    const chart = page.locator('.parcoords');
    await expect.poll(() => chart.getAttribute('data-drawn')).toBe('24');
    expect(await chart.getAttribute('data-selected')).toBe('24');

    // brush the acc axis (the last, at the right) over its top: the best few stay
    const box = (await page.locator('.parcoords-canvas').boundingBox())!;
    const x = box.x + box.width - 60;
    await page.mouse.move(x, box.y + 36);
    await page.mouse.down();
    await page.mouse.move(x, box.y + 100, { steps: 6 });
    await page.mouse.up();
    const selected = Number(await chart.getAttribute('data-selected'));
    expect(selected).toBeGreaterThan(0);
    expect(selected).toBeLessThan(24);
    const status = page.locator('.sweep-selection');
    expect(await status.textContent()).toContain(`${selected} of 24 drawn candidates are in the brushed ranges`);
    // the brushed ones are the best by acc: run-23 first
    expect(await status.locator('li').first().textContent()).toBe('run-23');

    // narrowing by keyboard: the lowest acc box
    await page.getByLabel('Lowest metric acc').fill('0.9');
    await page.getByLabel('Lowest metric acc').press('Tab');
    await expect.poll(() => chart.getAttribute('data-selected')).toBe('2'); // run-22 (acc 0.917) and run-23 (0.958)
    await page.getByRole('link', { name: /^Compare these/ }).click();
    await page.waitForURL('**/compare?candidates=**');
    expect(await page.locator('#legend').textContent()).toContain('run-23');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('draws a curve in log scale, by wall time, zoomable, and a metric logged once as a number', async () => {
    const { owner, experiment_id } = await seedSweep(2);
    const { context, page } = await newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, owner.username, owner.password);
    await page.goto(`${owner.projectPath}/-/ml/experiments/${experiment_id}`);
    await page.getByRole('link', { name: 'run-1', exact: true }).click();
    const loss = page.locator('#chart-loss .chart-canvas');
    await expect.poll(() => loss.getAttribute('data-drawn')).toBe('30');
    // a single value reads as a number, not an empty chart
    expect(await page.locator('#chart-acc .single-value').textContent()).toContain('0.5');
    // log scale: the y axis becomes logarithmic over the curve's decades (150 … 0.0002)
    const range = async (axis: 'x' | 'y') => ((await loss.getAttribute(`data-${axis}-range`)) ?? '').split(',').map(Number);
    expect(await loss.getAttribute('data-y')).toBe('linear');
    await page.getByLabel('Log scale for loss').check();
    await expect.poll(() => loss.getAttribute('data-y')).toBe('log');
    const [lo, hi] = await range('y');
    expect(lo).toBeGreaterThan(0);
    expect(Math.log10(hi / lo)).toBeGreaterThan(5);
    // x by wall time: seconds since the epoch, the 29 s the curve took
    await page.getByLabel('X axis of loss').selectOption('wall');
    await expect.poll(() => loss.getAttribute('data-x')).toBe('wall');
    const [t0, t1] = await range('x');
    expect(t0).toBeGreaterThan(1.7e9);
    expect(t1 - t0).toBeGreaterThanOrEqual(29);
    // by step, drag to zoom into a part of the x axis; double-click shows it whole again
    await page.getByLabel('X axis of loss').selectOption('step');
    await expect.poll(async () => (await range('x'))[1]).toBe(29);
    const b = (await page.locator('#chart-loss .u-over').boundingBox())!;
    await page.mouse.move(b.x + b.width * 0.2, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await range('x'))[1]).toBeLessThan(20);
    expect((await range('x'))[0]).toBeGreaterThan(3);
    await page.locator('#chart-loss .u-over').dblclick();
    await expect.poll(async () => (await range('x'))[1]).toBe(29);
    expect(errors).toEqual([]);
    await context.close();
  });
});
