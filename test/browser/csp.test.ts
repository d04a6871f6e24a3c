import { afterAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { api, mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

describe('the strict Content-Security-Policy', () => {
  it('is never violated on any page, in light or dark mode, while sorting, filtering, paging and drawing', async () => {
    const owner = await seedOwner();
    const ml = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('csp') });
    const { run: parent } = await ml('POST', 'runs/create', { experiment_id, run_name: 'parent', start_time: Date.now() });
    const runs: string[] = [];
    for (let k = 0; k < 3; k++) {
      const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: `child-${k}`, start_time: Date.now() + k, tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
      runs.push(run.info.run_id);
      const metrics = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + k), timestamp: Date.now() + step, step }));
      await ml('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: String(10 ** -k) }], metrics });
    }
    await ml('POST', 'registered-models/create', { name: 'csp-model' });
    await ml('POST', 'model-versions/create', { name: 'csp-model', source: `runs:/${runs[0]}/model`, run_id: runs[0] });
    const candidates = await api(owner.token, 'GET', `/api/v4/projects/${owner.project.id}/ml/mlflow/api/2.0/mlflow/runs/search?experiment_ids=${experiment_id}`);
    const ids = (candidates.runs as { info: { artifact_uri: string } }[]).map((r) => /ml_candidate_(\d+)/.exec(r.info.artifact_uri)![1]);

    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page } = await newPage();
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
      });
      await page.emulateMedia({ colorScheme });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`${page.url()}: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`${page.url()}: ${e}`));
      await signIn(page, owner.username, owner.password);
      const base = `${owner.projectPath}/-/ml`;
      for (const path of [
        '/',
        `${base}/experiments`,
        `${base}/experiments/${experiment_id}`,
        `${base}/experiments/${experiment_id}/compare?candidates=${ids.join(',')}`,
        `${base}/experiments/${experiment_id}/sweep`,
        `${base}/candidates/${ids[0]}`,
        `${base}/models`,
        `${base}/models/csp-model`,
        `${base}/models/csp-model/versions/1`,
        `${owner.projectPath}/-/packages`,
      ]) {
        const res = await page.goto(path);
        expect(res?.status(), path).toBe(200);
        await page.waitForLoadState('networkidle');
      }
      // the candidates table's htmx swaps: sort by a column, filter as you type
      await page.goto(`${base}/experiments/${experiment_id}`);
      await page.locator('th a', { hasText: 'loss' }).first().click();
      await page.waitForURL('**sort=**');
      await page.waitForLoadState('networkidle');
      await page.getByLabel('Filter by name').fill('child');
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
      await context.close();
    }
  }, 180_000);
});
