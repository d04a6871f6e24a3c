import { afterAll, describe, expect, inject, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { seedEveryPage } from './every-page';

afterAll(disconnect);

describe('the strict Content-Security-Policy', () => {
  it('is never violated on any page, in light or dark mode, while sorting, filtering, paging and drawing', async () => {
    const { owner, experimentId, runs, experimentPath, pages } = await seedEveryPage();

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
      for (const path of pages) {
        const res = await page.goto(path);
        expect(res?.status(), path).toBe(200);
        await page.waitForLoadState('networkidle');
      }
      // the link the MLflow client prints: the tracking URI's root page hands its fragment on
      await page.goto(`${inject('origin')}/api/v4/projects/${owner.project.id}/ml/mlflow/#/experiments/${experimentId}/runs/${runs[0].runId}`);
      await page.waitForURL(`**/-/ml/candidates/${runs[0].candidateId}`);
      await page.waitForLoadState('networkidle');
      // the candidates table's htmx swaps: sort by a column, filter as you type
      await page.goto(experimentPath);
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
