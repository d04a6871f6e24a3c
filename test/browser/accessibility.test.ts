import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { disconnect, newPage, signIn } from './browser';
import { seedEveryPage } from './every-page';

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
    const { owner, experimentPath, pages } = await seedEveryPage();

    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    const problems: string[] = [];
    for (const path of pages) {
      expect((await page.goto(path))?.status(), path).toBe(200);
      await page.waitForLoadState('networkidle');
      for (const control of await unnamedControls(page)) problems.push(`${path} ${control}`);
    }
    expect(problems).toEqual([]);

    // the candidates table by keyboard alone: Enter on the fold button hides a parent's children, again shows them
    await page.goto(experimentPath);
    const fold = page.getByRole('button', { name: /child runs of parent/ });
    await fold.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'child-0' }).isVisible()).toBe(false);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'child-0' }).isVisible()).toBe(true);
    await context.close();
  }, 120_000);
});
