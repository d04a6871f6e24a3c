import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { disconnect, newPage, signIn } from './browser';
import { mlflow, seedOwner, unique } from './seed';

afterAll(disconnect);

/** Roles a person operates; each must have a name a screen reader can say. */
const CONTROLS = new Set(['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'slider', 'spinbutton', 'switch', 'menuitem', 'tab', 'img']);

type AXNode = { ignored: boolean; role?: { value: string }; name?: { value: string }; backendDOMNodeId?: number };

/** The controls of the page without an accessible name, as Chromium's accessibility tree has them. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
  const unnamed: string[] = [];
  for (const node of nodes) {
    const role = node.role?.value ?? '';
    if (node.ignored || !CONTROLS.has(role) || (node.name?.value ?? '').trim() !== '') continue;
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.backendDOMNodeId });
    const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.outerHTML.slice(0, 160); }', returnByValue: true });
    unnamed.push(`${role}: ${result.value}`);
  }
  await cdp.detach();
  return unnamed;
}

describe('screen-reader labels', () => {
  it('name every control of every page (in Chromium’s accessibility tree), and a parent run folds by keyboard', async () => {
    const owner = await seedOwner();
    const ml = mlflow(owner.token, owner.project.id);
    const { experiment_id } = await ml('POST', 'experiments/create', { name: unique('a11y') });
    const { run: parent } = await ml('POST', 'runs/create', { experiment_id, run_name: 'parent', start_time: Date.now() });
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      const { run } = await ml('POST', 'runs/create', { experiment_id, run_name: `child-${k}`, start_time: Date.now() + k, tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
      const metrics = Array.from({ length: 10 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + k), timestamp: Date.now() + step, step }));
      await ml('POST', 'runs/log-batch', { run_id: run.info.run_id, params: [{ key: 'lr', value: String(10 ** -k) }], metrics });
      await ml('POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
      ids.push(/ml_candidate_(\d+)/.exec(run.info.artifact_uri)![1]);
    }
    await ml('POST', 'registered-models/create', { name: 'a11y-model' });
    await ml('POST', 'model-versions/create', { name: 'a11y-model', source: `runs:/${parent.info.run_id}/model`, run_id: parent.info.run_id });
    // a logged model registered as version 2, and files of a run to preview
    const { model } = await ml('POST', 'logged-models', { experiment_id, name: 'a11y-logged', source_run_id: parent.info.run_id });
    await ml('POST', 'model-versions/create', { name: 'a11y-model', source: `models:/${model.info.model_id}`, run_id: parent.info.run_id, model_id: model.info.model_id });
    const files = ['notes.md', 'metrics.csv', 'config.json', 'plot.svg'];
    for (const [path, body] of [['notes.md', '# Notes\n\n[a link](https://example.com)'], ['metrics.csv', 'step,loss\n0,1\n'], ['config.json', '{"a": {"b": [1]}}'], ['plot.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>']]) {
      const res = await fetch(`${parent.info.artifact_uri}/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${owner.token}` }, body });
      expect(res.status, path).toBe(200);
    }
    const parentId = /ml_candidate_(\d+)/.exec(parent.info.artifact_uri)![1];

    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    const base = `${owner.projectPath}/-/ml`;
    const problems: string[] = [];
    for (const path of [
      '/',
      `${base}/experiments`,
      `${base}/experiments/${experiment_id}`,
      `${base}/experiments/${experiment_id}/compare?candidates=${ids.join(',')}`,
      `${base}/experiments/${experiment_id}/sweep`,
      `${base}/candidates/${ids[0]}`,
      `${base}/models`,
      `${base}/models/a11y-model`,
      `${base}/models/a11y-model/versions/1`,
      `${base}/models/a11y-model/compare?versions=1,2`,
      `${base}/logged-models/${model.info.model_id}`,
      ...files.map((file) => `${base}/candidates/${parentId}?file=${file}`),
      `${owner.projectPath}/-/packages`,
      '/-/user_settings/active_sessions',
    ]) {
      expect((await page.goto(path))?.status(), path).toBe(200);
      await page.waitForLoadState('networkidle');
      for (const control of await unnamedControls(page)) problems.push(`${path} ${control}`);
    }
    expect(problems).toEqual([]);

    // the candidates table by keyboard alone: Enter on the fold button hides a parent's children, again shows them
    await page.goto(`${base}/experiments/${experiment_id}`);
    const fold = page.getByRole('button', { name: /child runs of parent/ });
    await fold.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'child-0' }).isVisible()).toBe(false);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'child-0' }).isVisible()).toBe(true);
    await context.close();
  }, 120_000);
});
