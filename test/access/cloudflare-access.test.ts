import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { sql } from 'drizzle-orm';
import app from '../../src/index';
import { users } from '../../src/db/schema';
import { setUserBlocked } from '../../src/access/users';
import { db, seedUser, unique } from '../helpers';

// An instance behind Access: the team's key set is one the test makes (no network).
const TEAM = 'flaretrack-test';
const ISSUER = `https://${TEAM}.cloudflareaccess.com`;
const AUD = 'aud-4f1c0e2b9d';
let teamKey: CryptoKey;
let strangerKey: CryptoKey;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  const team = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  teamKey = team.privateKey;
  strangerKey = stranger.privateKey;
  jwks = { keys: [{ ...(await exportJWK(team.publicKey)), kid: 'team-1', alg: 'RS256', use: 'sig' }] };
});

const accessEnv = (createUsers = true) => ({
  ...env,
  ACCESS_TEAM_DOMAIN: TEAM,
  ACCESS_AUD: AUD,
  ACCESS_CREATE_USERS: createUsers ? 'true' : 'false',
  ACCESS_JWKS: JSON.stringify(jwks),
});

type Claims = { email?: string; aud?: string; iss?: string; expiresIn?: string | number; key?: CryptoKey; kid?: string };

/** An Access JWT as Cloudflare would sign it (RS256, the team's key id), with any claim overridden. */
function accessJwt(claims: Claims): Promise<string> {
  const jwt = new SignJWT(claims.email ? { email: claims.email, type: 'app' } : { common_name: 'ci.access', type: 'app' })
    .setProtectedHeader({ alg: 'RS256', kid: claims.kid ?? 'team-1' })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUD)
    .setSubject(claims.email ? `sub-${claims.email}` : '')
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '1h');
  return jwt.sign(claims.key ?? teamKey);
}

/** A request to the worker behind Access, as Cloudflare forwards it. */
async function fetchBehindAccess(path: string, opts: { jwt?: string; cookie?: string; token?: string; method?: string; form?: Record<string, string>; createUsers?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (opts.jwt) headers['cf-access-jwt-assertion'] = opts.jwt;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const request = new Request(`https://flaretrack.test${path}`, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
    redirect: 'manual',
  });
  const ctx = createExecutionContext();
  const res = await app.fetch(request, accessEnv(opts.createUsers), ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const userByEmail = (email: string) =>
  db()
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .get();

describe('single sign-on with Cloudflare Access', () => {
  it('signs a verified email in, creating its user on first sign-in, and shows no password form', async () => {
    const email = `${unique('ada')}@example.org`;
    const jwt = await accessJwt({ email });
    const home = await fetchBehindAccess('/', { jwt });
    expect(home.status).toBe(200);
    const user = await userByEmail(email);
    expect(user?.username).toBe(email.split('@')[0]);
    expect(await home.text()).toContain(user!.username);
    expect(home.headers.get('set-cookie')).toMatch(/ft_session=[0-9a-f]+;.*HttpOnly/);

    const me = await fetchBehindAccess('/api/v4/user', { jwt });
    expect((await me.json<any>()).email).toBe(email);
    expect((await userByEmail(email))?.id).toBe(user!.id); // the second sign-in found the same user

    const signIn = await fetchBehindAccess('/-/sign_in');
    expect(signIn.status).toBe(401);
    const page = await signIn.text();
    expect(page).toContain('Cloudflare Access');
    expect(page).not.toMatch(/type="password"/);
    const post = await fetchBehindAccess('/-/sign_in', { method: 'POST', form: { method: 'password', username: 'root', password: 'x' } });
    expect(post.status).toBe(401);
    expect(post.headers.get('set-cookie')).toBeNull();
  });

  it('maps the email to an existing user whatever its case, and refuses unknown emails when creation is off', async () => {
    const { user } = await seedUser();
    const me = await fetchBehindAccess('/api/v4/user', { jwt: await accessJwt({ email: user.email.toUpperCase() }), createUsers: false });
    expect(me.status).toBe(200);
    expect((await me.json<any>()).username).toBe(user.username);

    const stranger = `${unique('eve')}@example.org`;
    const refused = await fetchBehindAccess('/', { jwt: await accessJwt({ email: stranger }), createUsers: false });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('has no flaretrack user');
    expect(await userByEmail(stranger)).toBeUndefined();
  });

  it('refuses expired, wrong-audience, wrong-issuer and unknown-key tokens with a 401 page', async () => {
    const email = `${unique('mallory')}@example.org`;
    const cases: [string, Claims, RegExp][] = [
      ['expired', { email, expiresIn: Math.floor(Date.now() / 1000) - 60 }, /expired/],
      ['wrong audience', { email, aud: 'another-application' }, /not for this application \(aud\)/],
      ['wrong issuer', { email, iss: 'https://other-team.cloudflareaccess.com' }, /not for this application \(iss\)/],
      ['unknown key id', { email, key: strangerKey, kid: 'stranger-1' }, /not valid/],
      ['known key id, other key', { email, key: strangerKey }, /not valid/],
    ];
    for (const [name, claims, reason] of cases) {
      const res = await fetchBehindAccess('/', { jwt: await accessJwt(claims) });
      expect(res.status, name).toBe(401);
      expect(await res.text(), name).toMatch(reason);
      expect(res.headers.get('set-cookie'), name).toBeNull();
      const api = await fetchBehindAccess('/api/v4/user', { jwt: await accessJwt(claims) });
      expect(api.status, name).toBe(401);
      expect((await api.json<any>()).message, name).toMatch(reason);
    }
    const garbage = await fetchBehindAccess('/', { jwt: 'not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(await userByEmail(email)).toBeUndefined();
  });

  it('keeps personal access tokens serving /api/ and does not honour a session cookie without an Access identity', async () => {
    const { user, token } = await seedUser();
    const me = await fetchBehindAccess('/api/v4/user', { token });
    expect(me.status).toBe(200);
    expect((await me.json<any>()).username).toBe(user.username);
    expect((await fetchBehindAccess('/api/v4/user')).status).toBe(401);

    const jwt = await accessJwt({ email: user.email });
    const cookie = (await fetchBehindAccess('/', { jwt })).headers.get('set-cookie')!.split(';')[0];
    const withoutJwt = await fetchBehindAccess('/', { cookie });
    expect(withoutJwt.status).toBe(303);
    expect(withoutJwt.headers.get('location')).toMatch(/^\/-\/sign_in/);
    // a service token's JWT names no person: the API still wants a personal access token
    expect((await fetchBehindAccess('/api/v4/user', { jwt: await accessJwt({}) })).status).toBe(401);
  });

  it("keeps the user's session for its CSRF token, and starts a new one when the Access identity changes", async () => {
    const alice = (await seedUser()).user;
    const bob = (await seedUser()).user;
    const aliceJwt = await accessJwt({ email: alice.email });
    const first = await fetchBehindAccess('/', { jwt: aliceJwt });
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    const home = await fetchBehindAccess('/', { jwt: aliceJwt, cookie });
    expect(home.headers.getSetCookie().filter((line) => line.startsWith('ft_session='))).toEqual([]);
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await home.text())![1];

    const forged = await fetchBehindAccess('/-/sign_out', { method: 'POST', jwt: aliceJwt, cookie, form: {} });
    expect(forged.status).toBe(403);
    const signOut = await fetchBehindAccess('/-/sign_out', { method: 'POST', jwt: aliceJwt, cookie, form: { _csrf: csrf } });
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('location')).toBe('/cdn-cgi/access/logout');

    const asBob = await fetchBehindAccess('/api/v4/user', { jwt: await accessJwt({ email: bob.email }), cookie });
    expect((await asBob.json<any>()).username).toBe(bob.username);
    expect(asBob.headers.get('set-cookie')).toMatch(/ft_session=/);
  });

  it('refuses a blocked user', async () => {
    const { user } = await seedUser();
    await setUserBlocked(db(), user.id, true);
    const res = await fetchBehindAccess('/', { jwt: await accessJwt({ email: user.email }) });
    expect(res.status).toBe(403);
  });
});
