import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/access/tokens';
import { db, seedProject, seedUser } from '../helpers';
import { call, getPage, inOneRateWindow, PASSWORD, postForm, postSignIn, signIn } from './helpers';

describe('sign in and out', () => {
  it('sends anonymous visitors to the sign-in page and back where they were going', async () => {
    const res = await call('GET', '/some/project/-/ml/experiments?x=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/-/sign_in?return_to=%2Fsome%2Fproject%2F-%2Fml%2Fexperiments%3Fx%3D1');
    const form = await call('GET', res.headers.get('location')!);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('name="return_to" value="/some/project/-/ml/experiments?x=1"');
    expect(form.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('sends an anonymous htmx request to sign in through HX-Redirect, not a swapped page', async () => {
    const res = await call('GET', '/ns/p/-/ml/experiments?name=x', { headers: { 'hx-request': 'true' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('hx-redirect')).toBe('/-/sign_in?return_to=%2Fns%2Fp%2F-%2Fml%2Fexperiments%3Fname%3Dx');
  });

  it('signs in with username and password: an HttpOnly, SameSite=Lax session cookie and a 303', async () => {
    const { user } = await seedUser({ password: PASSWORD });
    const res = await postSignIn({ method: 'password', username: user.username, password: PASSWORD, return_to: '/a/b' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/a/b');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ft_session=[0-9a-f]{64};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure'); // plain http in tests
    const home = await getPage({ cookie: cookie.split(';')[0], csrf: '' }, '/');
    expect(await home.text()).toContain(`>${user.username}</span>`);
  });

  it('sets Secure on the cookie over https', async () => {
    const { user } = await seedUser({ password: PASSWORD });
    const res = await postSignIn({ method: 'password', username: user.username, password: PASSWORD }, { origin: 'https://flaretrack.test' });
    expect(res.headers.get('set-cookie')).toContain('Secure');
  });

  it('refuses a wrong password with 401, then slows further attempts on the account down (429)', async () => {
    const { user } = await seedUser({ password: PASSWORD });
    await inOneRateWindow();
    for (let i = 0; i < 10; i++) {
      const res = await postSignIn({ method: 'password', username: user.username, password: 'wrong password' }, { headers: { 'cf-connecting-ip': `198.51.100.${i}` } });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('Invalid username or password.');
    }
    // from yet another address, even the right password waits: the account's budget is spent
    const res = await postSignIn({ method: 'password', username: user.username, password: PASSWORD }, { headers: { 'cf-connecting-ip': '198.51.100.77' } });
    expect(res.status).toBe(429);
    expect(await res.text()).toContain('Too many sign-in attempts. Try again in a minute.');
    expect(res.headers.get('set-cookie') ?? '').not.toContain('ft_session=');
  }, 90_000);

  it('signs in with an api token, and refuses a read_api token', async () => {
    const { user, token } = await seedUser();
    const ok = await postSignIn({ method: 'token', token });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/^ft_session=/);
    const { secret } = await createToken(db(), { userId: user.id, name: 'ro', scopes: ['read_api'], expiresAt: null });
    const ro = await postSignIn({ method: 'token', token: secret });
    expect(ro.status).toBe(401);
    expect(await ro.text()).toContain('may only read');
  });

  it('never returns to another site after signing in', async () => {
    const { user } = await seedUser({ password: PASSWORD });
    const res = await postSignIn({ method: 'password', username: user.username, password: PASSWORD, return_to: '//evil.example/' });
    expect(res.headers.get('location')).toBe('/');
  });

  it('signs out only with the CSRF token, and the session then stops working', async () => {
    const { token } = await seedUser();
    const browser = await signIn(token);
    const refused = await postForm('/-/sign_out', {}, { cookie: browser.cookie });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('CSRF');
    expect((await getPage(browser, '/')).status).toBe(200);
    const out = await postForm('/-/sign_out', { _csrf: browser.csrf }, { cookie: browser.cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/-/sign_in');
    expect(out.headers.get('set-cookie')).toContain('ft_session=;');
    expect((await getPage(browser, '/')).status).toBe(303);
  });

  it('gives htmx the CSRF token through hx-headers on <body>, and accepts it as X-CSRF-Token', async () => {
    const { token } = await seedUser();
    const browser = await signIn(token);
    const html = await (await getPage(browser, '/')).text();
    expect(html).toContain(`<body hx-headers:inherited="{&quot;X-CSRF-Token&quot;:&quot;${browser.csrf}&quot;}">`);
    const wrong = await call('POST', '/-/sign_out', { headers: { cookie: browser.cookie, 'hx-request': 'true', 'x-csrf-token': 'f'.repeat(64) } });
    expect(wrong.status).toBe(403);
    const out = await call('POST', '/-/sign_out', { headers: { cookie: browser.cookie, 'hx-request': 'true', 'x-csrf-token': browser.csrf } });
    expect(out.status).toBe(303);
  });

  it('lists the projects of the user with ML links only where the flag is on', async () => {
    const { user, token } = await seedUser();
    const on = await seedProject(user.id);
    const off = await seedProject(user.id, { ml: false });
    const other = await seedProject((await seedUser()).user.id);
    const html = await (await getPage(await signIn(token), '/')).text();
    expect(html).toContain(`href="/${on.namespace}/${on.path}/-/ml/experiments"`);
    expect(html).toContain(`href="/${off.namespace}/${off.path}/-/packages"`);
    expect(html).not.toContain(`/${off.namespace}/${off.path}/-/ml/experiments`);
    expect(html).not.toContain(other.namespace);
  });
});
