/** Helpers for UI tests: sign in through the form and call pages with the session cookie. */
import { exports } from 'cloudflare:workers';

/** Sends a request to the worker as a browser would, without following redirects. */
export function call(method: string, path: string, opts: { body?: BodyInit; headers?: Record<string, string>; origin?: string } = {}) {
  const request = new Request(`${opts.origin ?? 'http://flaretrack.test'}${path}`, { method, headers: opts.headers, body: opts.body, redirect: 'manual' });
  return exports.default.fetch(request);
}

/** A signed-in browser: its cookie and CSRF token. */
export type Browser = { cookie: string; csrf: string };

/** Posts a form (urlencoded) as a browser would. */
export function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return call('POST', path, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

/**
 * Posts the sign-in form as a browser does: GETs the page first for its CSRF cookie and token,
 * then posts `fields` with them (`headers` and the origin added as given).
 */
export async function postSignIn(fields: Record<string, string>, opts: { headers?: Record<string, string>; origin?: string } = {}) {
  const form = await call('GET', '/-/sign_in', { origin: opts.origin, headers: opts.headers });
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await form.text())?.[1] ?? '';
  const jar = [opts.headers?.cookie, cookie].filter(Boolean).join('; ');
  return call('POST', '/-/sign_in', {
    origin: opts.origin,
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers, cookie: jar },
  });
}

/** The password tests give users who sign in with one: `seedUser({ password: PASSWORD })`. */
export const PASSWORD = 'correct horse battery';

/** Signs in through the form with a personal access token and reads the CSRF token off a page. */
export async function signIn(token: string): Promise<Browser> {
  const res = await postSignIn({ method: 'token', token, return_to: '/' });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const home = await (await call('GET', '/', { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(home)?.[1];
  if (!csrf) throw new Error('no CSRF token on the projects page');
  return { cookie, csrf };
}

/** GETs a page as the signed-in browser; `htmx` adds HX-Request. */
export function getPage(browser: Browser | null, path: string, opts: { htmx?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (browser) headers.cookie = browser.cookie;
  if (opts.htmx) headers['hx-request'] = 'true';
  return call('GET', path, { headers });
}

/**
 * Waits, if needed, until a fresh minute starts, so that a test's attempts all count in one window
 * of the sign-in rate limiters (fixed 60-second windows on the wall clock, as Cloudflare's `simple`
 * limits and Miniflare's): with less than 40 s left of this one, a slow machine could see a test's
 * attempts split across two windows and none refused.
 */
export async function inOneRateWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 40_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
