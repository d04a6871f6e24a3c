import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { personalAccessTokens } from '../../src/db/schema';
import { call, callJson, db, seedProject, seedUser } from '../helpers';
import { getPage, postForm, postSignIn, signIn, type Browser } from '../ui/helpers';

const DAY = 24 * 3600_000;
const tokenId = async (token: string) => (await callJson('GET', '/api/v4/personal_access_tokens', { token })).body.find((t: any) => t.active).id as number;
const mint = (user: { id: number }, via: { token?: string; browser?: Browser }, json: Record<string, unknown> = {}) =>
  via.token
    ? callJson('POST', `/api/v4/users/${user.id}/personal_access_tokens`, { token: via.token, json: { name: 'minted', scopes: ['api'], ...json } })
    : call('POST', `/api/v4/users/${user.id}/personal_access_tokens`, {
        headers: { cookie: via.browser!.cookie, 'x-csrf-token': via.browser!.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'minted', scopes: ['api'], ...json }),
      }).then(async (r) => ({ status: r.status, body: await r.json<any>() }));
const signedIn = async (browser: Browser) => (await getPage(browser, '/')).status === 200;

describe('revoking a token locks its holder out', () => {
  it('ends the browser sessions signed in with the token when it is revoked', async () => {
    const { token } = await seedUser();
    const browser = await signIn(token);
    const other = await signIn(token);
    expect(await signedIn(browser)).toBe(true);
    expect((await call('DELETE', `/api/v4/personal_access_tokens/${await tokenId(token)}`, { token })).status).toBe(204);
    expect(await signedIn(browser)).toBe(false);
    expect(await signedIn(other)).toBe(false);
    // and the session cannot write either
    const write = await postForm('/-/sign_out', { _csrf: browser.csrf }, { cookie: browser.cookie });
    expect((await getPage(browser, '/')).status).toBe(303);
    expect(write.status).toBe(303);
  });

  it('ends the session when the token expires, even though the session alone would last a week', async () => {
    const { token } = await seedUser();
    const browser = await signIn(token);
    await db().update(personalAccessTokens).set({ expiresAt: Date.now() - 1 }).where(eq(personalAccessTokens.id, await tokenId(token)));
    expect(await signedIn(browser)).toBe(false);
  });

  it('revokes the tokens a token minted, and those minted by its sessions, at any depth', async () => {
    const { user, token } = await seedUser();
    const child = await mint(user, { token });
    expect(child.status).toBe(201);
    const browser = await signIn(child.body.token);
    const grandchild = await mint(user, { browser });
    expect(grandchild.status).toBe(201);
    const greatGrandchild = await mint(user, { token: grandchild.body.token });
    for (const t of [child.body.token, grandchild.body.token, greatGrandchild.body.token]) {
      expect((await callJson('GET', '/api/v4/user', { token: t })).status).toBe(200);
    }
    expect((await call('DELETE', `/api/v4/personal_access_tokens/${await tokenId(token)}`, { token: greatGrandchild.body.token })).status).toBe(204);
    for (const t of [token, child.body.token, grandchild.body.token, greatGrandchild.body.token]) {
      expect((await callJson('GET', '/api/v4/user', { token: t })).status).toBe(401);
    }
    expect(await signedIn(browser)).toBe(false);
  });

  it('revoking a child leaves its parent working', async () => {
    const { user, token } = await seedUser();
    const child = await mint(user, { token });
    expect((await call('DELETE', `/api/v4/personal_access_tokens/${child.body.id}`, { token })).status).toBe(204);
    expect((await callJson('GET', '/api/v4/user', { token })).status).toBe(200);
    expect((await callJson('GET', '/api/v4/user', { token: child.body.token })).status).toBe(401);
  });

  it('gives new tokens an expiry: 365 days at most, never later than the token that made them', async () => {
    const { user, token } = await seedUser();
    const plain = await mint(user, { token });
    const days = (Date.parse(plain.body.expires_at) - Date.now()) / DAY;
    expect(days).toBeGreaterThan(363);
    expect(days).toBeLessThanOrEqual(365);
    const tooLong = await mint(user, { token }, { expires_at: new Date(Date.now() + 400 * DAY).toISOString().slice(0, 10) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/365 days/);
    for (const bad of ['2026-02-31', '1999-01-01', '9999-99-99']) {
      const res = await mint(user, { token }, { expires_at: bad });
      expect([bad, res.status]).toEqual([bad, 400]);
    }
    // a short-lived parent: its children (and their sessions) end with it
    const parent = await mint(user, { token }, { expires_at: new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10) });
    const child = await mint(user, { token: parent.body.token });
    expect(child.body.expires_at).toBe(parent.body.expires_at);
    const browser = await signIn(parent.body.token);
    const fromSession = await mint(user, { browser });
    expect(Date.parse(fromSession.body.expires_at)).toBeLessThanOrEqual(Date.parse(parent.body.expires_at));
    // from a password session: 365 days, no parent
    const admin = await seedUser({ admin: true });
    const adminLong = await mint(admin.user, { token: admin.token }, { expires_at: '2999-01-01' });
    expect(adminLong.body.expires_at).toBe('2999-01-01');
  });
});

describe('an admin responds to a compromise', () => {
  it('blocks a user: every token and session stops at once; unblocking brings back the tokens only', async () => {
    const admin = await seedUser({ admin: true });
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const browser = await signIn(token);
    const block = await callJson('POST', `/api/v4/users/${user.id}/block`, { token: admin.token });
    expect(block.status).toBe(201);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token })).status).toBe(401);
    expect(await signedIn(browser)).toBe(false);
    expect((await callJson('GET', `/api/v4/users/${user.id}`, { token: admin.token })).body.state).toBe('blocked');
    const signIn2 = await postSignIn({ method: 'token', token });
    expect(signIn2.status).toBe(401);
    expect((await callJson('POST', `/api/v4/users/${user.id}/unblock`, { token: admin.token })).status).toBe(201);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token })).status).toBe(200);
    expect(await signedIn(browser)).toBe(false);
  });

  it('keeps blocking and deleting to admins, and not on themselves', async () => {
    const admin = await seedUser({ admin: true });
    const { user, token } = await seedUser();
    const victim = await seedUser();
    for (const path of [`/api/v4/users/${victim.user.id}/block`, `/api/v4/users/${victim.user.id}/unblock`]) {
      expect((await callJson('POST', path, { token })).status).toBe(403);
    }
    expect((await callJson('DELETE', `/api/v4/users/${victim.user.id}`, { token })).status).toBe(403);
    expect((await callJson('POST', `/api/v4/users/${admin.user.id}/block`, { token: admin.token })).status).toBe(403);
    expect((await callJson('DELETE', `/api/v4/users/${admin.user.id}`, { token: admin.token })).status).toBe(403);
    expect((await callJson('POST', `/api/v4/users/999999/block`, { token: admin.token })).status).toBe(404);
    expect((await callJson('GET', `/api/v4/users/${victim.user.id}`, { token: victim.token })).body.state).toBe('active');
    expect(user.id).toBeGreaterThan(0);
  });

  it("deletes a user (tokens, sessions, memberships), but not a project's only owner", async () => {
    const admin = await seedUser({ admin: true });
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const browser = await signIn(token);
    const refused = await callJson('DELETE', `/api/v4/users/${user.id}`, { token: admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(`${project.namespace}/${project.path}`);
    expect((await callJson('GET', '/api/v4/user', { token })).status).toBe(200);
    const heir = await seedUser();
    expect((await callJson('POST', `/api/v4/projects/${project.id}/members`, { token, json: { user_id: heir.user.id, access_level: 50 } })).status).toBe(201);
    expect((await call('DELETE', `/api/v4/users/${user.id}`, { token: admin.token })).status).toBe(204);
    expect((await callJson('GET', '/api/v4/user', { token })).status).toBe(401);
    expect(await signedIn(browser)).toBe(false);
    expect((await callJson('GET', `/api/v4/users/${user.id}`, { token: admin.token })).status).toBe(404);
    const members = (await callJson('GET', `/api/v4/projects/${project.id}/members`, { token: heir.token })).body;
    expect(members.map((m: any) => m.id)).toEqual([heir.user.id]);
  });
});

describe('a user sees and ends their own sessions', () => {
  it('lists the browsers signed in as them and ends one of them', async () => {
    const { token } = await seedUser();
    const laptop = await signIn(token);
    const stolen = await postSignIn({ method: 'token', token }, { headers: { 'user-agent': 'EvilBrowser/1.0', 'cf-connecting-ip': '203.0.113.9' } });
    const stolenCookie = stolen.headers.get('set-cookie')!.split(';')[0];
    const html = await (await getPage(laptop, '/-/user_settings/active_sessions')).text();
    expect(html).toContain('EvilBrowser/1.0');
    expect(html).toContain('203.0.113.9');
    expect(html).toContain('(this browser)');
    const ids = [...html.matchAll(/action="\/-\/user_settings\/active_sessions\/([0-9a-f]+)\/revoke"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    // the stolen one is listed first (newest); end it
    const end = await postForm(`/-/user_settings/active_sessions/${ids[0]}/revoke`, { _csrf: laptop.csrf }, { cookie: laptop.cookie });
    expect(end.status).toBe(303);
    expect((await getPage({ cookie: stolenCookie, csrf: '' }, '/')).status).toBe(303);
    expect(await signedIn(laptop)).toBe(true);
    // someone else cannot end the laptop's session
    const stranger = await signIn((await seedUser()).token);
    const foreign = await postForm(`/-/user_settings/active_sessions/${ids[1]}/revoke`, { _csrf: stranger.csrf }, { cookie: stranger.cookie });
    expect(foreign.status).toBe(404);
    expect(await signedIn(laptop)).toBe(true);
  });
});
