import { describe, expect, it } from 'vitest';
import { seedUser } from '../helpers';
import { call, inOneRateWindow, PASSWORD, postForm, postSignIn } from './helpers';

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0];

describe('sign-in throttling', () => {
  it('a stranger spending the account budget does not lock the owner out of a browser they signed in with before', async () => {
    const { user } = await seedUser({ password: PASSWORD });
    await inOneRateWindow();
    const first = await postSignIn({ method: 'password', username: user.username, password: PASSWORD }, { headers: { 'cf-connecting-ip': '192.0.2.1' } });
    expect(first.status).toBe(303);
    const device = cookieOf(first, 'ft_device')!;
    expect(device).toMatch(/^ft_device=\d+\.[0-9a-f]+\.[0-9a-f]{64}$/);
    expect(first.headers.getSetCookie().find((c) => c.startsWith('ft_device='))).toContain('HttpOnly');
    // a stranger guesses from many addresses until the account is throttled
    let throttled = 0;
    for (let i = 0; i < 14; i++) {
      const res = await postSignIn({ method: 'password', username: user.username, password: `guess ${i}` }, { headers: { 'cf-connecting-ip': `198.18.0.${i}` } });
      if (res.status === 429) throttled++;
      else expect(res.status).toBe(401);
    }
    expect(throttled).toBeGreaterThan(0);
    // a forged or foreign device cookie does not help the stranger
    const other = await seedUser({ password: PASSWORD });
    const otherDevice = cookieOf(await postSignIn({ method: 'password', username: other.user.username, password: PASSWORD }), 'ft_device')!;
    const forged = device.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
    for (const cookie of [forged, otherDevice, 'ft_device=1.2.3']) {
      const res = await postSignIn({ method: 'password', username: user.username, password: 'another guess' }, { headers: { 'cf-connecting-ip': '198.18.1.1', cookie } });
      expect([cookie, res.status]).toEqual([cookie, 429]);
    }
    // the owner's browser still signs in
    const owner = await postSignIn({ method: 'password', username: user.username, password: PASSWORD }, { headers: { 'cf-connecting-ip': '192.0.2.1', cookie: device } });
    expect(owner.status).toBe(303);
    expect(cookieOf(owner, 'ft_session')).toMatch(/^ft_session=[0-9a-f]{64}$/);
  }, 90_000);

  it('throttles one client across accounts and across both sign-in methods', async () => {
    const ip = '203.0.113.200';
    const statuses: number[] = [];
    await inOneRateWindow();
    for (let i = 0; i < 12; i++) {
      const fields: Record<string, string> = i % 2 ? { method: 'token', token: `ftpat-guess${i}` } : { method: 'password', username: `nobody${i}`, password: 'guess' };
      statuses.push((await postSignIn(fields, { headers: { 'cf-connecting-ip': ip } })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // a right token from that client waits too; another client is not affected
    const { token } = await seedUser();
    expect((await postSignIn({ method: 'token', token }, { headers: { 'cf-connecting-ip': ip } })).status).toBe(429);
    expect((await postSignIn({ method: 'token', token }, { headers: { 'cf-connecting-ip': '203.0.113.201' } })).status).toBe(303);
  }, 90_000);
});

describe('sign-in CSRF and origin', () => {
  it('refuses a sign-in POST without the form token, with a wrong one, or from another site', async () => {
    const { user } = await seedUser({ password: PASSWORD });
    const fields = { method: 'password', username: user.username, password: PASSWORD };
    const bare = await postForm('/-/sign_in', fields);
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('CSRF');
    // a token from another browser's cookie
    const form = await call('GET', '/-/sign_in');
    const cookie = cookieOf(form, 'ft_sign_in')!;
    const token = /name="_csrf" value="([0-9a-f]+)"/.exec(await form.text())![1];
    expect((await postForm('/-/sign_in', { ...fields, _csrf: 'f'.repeat(64) }, { cookie })).status).toBe(403);
    expect((await postForm('/-/sign_in', { ...fields, _csrf: token })).status).toBe(403);
    // a matching pair, but the POST comes from another origin
    const foreign: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const headers of foreign) {
      const res = await postForm('/-/sign_in', { ...fields, _csrf: token }, { cookie, ...headers });
      expect([headers, res.status]).toEqual([headers, 403]);
      expect(res.headers.get('set-cookie') ?? '').not.toContain('ft_session=');
    }
    const ok = await postForm('/-/sign_in', { ...fields, _csrf: token }, { cookie, origin: 'http://flaretrack.test', 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(303);
  });

  it('sets the form token cookie HttpOnly and SameSite=Strict, scoped to the sign-in page', async () => {
    const form = await call('GET', '/-/sign_in');
    const header = form.headers.getSetCookie().find((c) => c.startsWith('ft_sign_in='))!;
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/-/sign_in');
  });
});

describe('return_to after signing in', () => {
  it('goes only to a path of this site; anything else goes to /', async () => {
    const { token } = await seedUser();
    const offsite = ['//evil.example/', '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\\evil.example', '/\t\\evil.example', 'https://evil.example/', ' /x',
      '/./\\evil.example', '/\u0000x', '/\u2028//evil.example', 'javascript:alert(1)', '/-/sign_out', '/ /evil.example', '/\u00a0//evil.example'];
    for (const returnTo of offsite) {
      const res = await postSignIn({ method: 'token', token, return_to: returnTo });
      expect([returnTo, res.status, res.headers.get('location')]).toEqual([returnTo, 303, '/']);
    }
    const kept = await postSignIn({ method: 'token', token, return_to: '/ns/p/-/ml/experiments?filter=metrics.acc%20%3E%200.5#top' });
    expect(kept.headers.get('location')).toBe('/ns/p/-/ml/experiments?filter=metrics.acc%20%3E%200.5#top');
  });
});
