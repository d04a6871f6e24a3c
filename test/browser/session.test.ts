import { afterAll, describe, expect, it } from 'vitest';
import { disconnect, newPage, signIn } from './browser';
import { seedOwner } from './seed';

afterAll(disconnect);

describe('signing in, the projects list and the empty experiments page', () => {
  it('sends a visitor to sign in, then shows their projects and the ML link', async () => {
    const owner = await seedOwner();
    const { context, page } = await newPage();
    await page.goto(`${owner.projectPath}/-/ml/experiments`);
    expect(new URL(page.url()).pathname).toBe('/-/sign_in');
    await page.getByLabel('Username').fill(owner.username);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid username or password.');
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // back where they were going: the empty state tells how to log with MLflow
    await page.waitForURL(`**${owner.projectPath}/-/ml/experiments`);
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('No experiments yet');
    expect(await page.locator('#mlflow-snippet').textContent()).toContain(`/api/v4/projects/${owner.project.id}/ml/mlflow`);
    expect(await page.locator('header').textContent()).toContain(owner.username);
    // breadcrumb back to the projects list
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Projects' }).click();
    await page.waitForURL('**/');
    expect(await page.getByRole('link', { name: 'Experiments' }).getAttribute('href')).toBe(`${owner.projectPath}/-/ml/experiments`);
    expect(errors).toEqual([]);
    // sign out ends the session
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/-/sign_in');
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/-/sign_in');
    await context.close();
  });

  it('shows no ML links when the feature flag is off, and the ML pages are not found', async () => {
    const owner = await seedOwner({ ml: false });
    const { context, page } = await newPage();
    await signIn(page, owner.username, owner.password);
    await page.goto(owner.projectPath);
    expect(await page.getByRole('link', { name: 'Packages' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Experiments' }).count()).toBe(0);
    const res = await page.goto(`${owner.projectPath}/-/ml/experiments`);
    expect(res!.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    await context.close();
  });

  it('is usable on a phone-sized screen and by keyboard', async () => {
    const owner = await seedOwner();
    const { context, page } = await newPage({ viewport: { width: 375, height: 700 } });
    await page.goto('/-/sign_in');
    // the username field has the focus; Tab to the password, Enter signs in
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');
    await page.keyboard.type(owner.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(owner.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/');
    // the first Tab reaches the skip link, which moves the focus to the content
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
