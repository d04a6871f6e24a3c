/** The shared Chromium of a run, and a signed-in page. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

let browser: Browser | undefined;

/** Connects (once per file) to the run's Chromium. */
export async function connect(): Promise<Browser> {
  browser ??= await chromium.connect(inject('wsEndpoint'));
  return browser;
}

/** Closes this file's connection (the browser itself lives for the whole run). */
export async function disconnect() {
  await browser?.close();
  browser = undefined;
}

let clients = 0;

/**
 * A fresh context (own cookies) with the worker as base URL, and a page in it. Each context is
 * its own client: it sends its own address (as Cloudflare's edge would set CF-Connecting-IP), so
 * the suite's many sign-ins are not throttled as one client's.
 */
export async function newPage(opts: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const n = clients++;
  const address = `198.51.${100 + Math.floor(n / 250)}.${(n % 250) + 1}`;
  const context = await (await connect()).newContext({ baseURL: inject('origin'), acceptDownloads: true, extraHTTPHeaders: { 'cf-connecting-ip': address }, ...opts });
  const page = await context.newPage();
  return { context, page };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, username: string, password: string) {
  await page.goto('/-/sign_in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/-/sign_in'));
}
