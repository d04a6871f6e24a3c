/**
 * Signing in and out of the UI: username and password, or a personal access token (`api`
 * scope); behind Cloudflare Access, Access signs people in and there is no form. Success sets
 * the `ft_session` cookie (HttpOnly, SameSite=Lax, Secure on https) and answers 303. The sign-in form carries a CSRF token of its own (a cookie it must match) and a
 * foreign Origin is refused; attempts are throttled by access/sign-in.ts. Signed-in users list
 * and end their sessions under `/-/user_settings/active_sessions`.
 */
import { type Context, type MiddlewareHandler } from 'hono';
import { routes } from '../http/routes';
import { formBody } from '../http/body';
import { handlers } from '../http/mount';
import { routeOf } from '../http/matched';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../http/env';
import type { Actor, User } from '../access/actor';
import { randomHex, verifyPassword } from '../access/crypto';
import { accessConfig } from '../access/cloudflare-access';
import { requireActor, SESSION_COOKIE, setSessionCookie } from '../http/middleware';
import { createSession, deleteSession, endSession, listSessions } from '../access/sessions';
import { allowAccountAttempt, allowClientAttempt, deviceProof, type SignInLimiters } from '../access/sign-in';
import { authenticateToken } from '../access/tokens';
import { findUserByUsername } from '../access/users';
import { ForbiddenError } from '../errors';
import { Time } from './kit/components';
import { DataTable } from './kit/tables';
import { page, wantsFragment } from './layout';

/** Where the sign-in page lives. */
export const SIGN_IN_PATH = routes.ui.signIn.link();

/** The pages a visitor signs in or out with: never a place to return to after signing in. */
const SIGN_IN_OUT = [SIGN_IN_PATH, routes.ui.signOut.link()];

// The sign-in form's own CSRF token (no session yet), and the proof that a browser signed in before.
const SIGN_IN_CSRF_COOKIE = 'ft_sign_in';
const DEVICE_COOKIE = 'ft_device';
const ORIGIN = 'http://return-to.invalid';

/**
 * Where to go after signing in: a path of this site (printable ASCII, no scheme, no host, no
 * `//` or `\\` that a browser would read as another host), normalised; anything else is `/`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return '/';
  const url = new URL(value, ORIGIN);
  const path = url.pathname + url.search + url.hash;
  return url.origin === ORIGIN && !SIGN_IN_OUT.includes(url.pathname) && !/^\/[/\\]/.test(path) ? path : '/';
}

const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:';

/**
 * Sends anonymous visitors of any UI page to the sign-in page (htmx requests through
 * HX-Redirect); the routes declared `signedIn: false` (signing in and out) pass.
 */
export const requireSignedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('actor') || routeOf(c)?.signedIn === false) return next();
  const url = new URL(c.req.url);
  const target = `${SIGN_IN_PATH}?return_to=${encodeURIComponent(url.pathname + url.search)}`;
  if (wantsFragment(c)) {
    c.header('HX-Redirect', target);
    return c.body(null, 204);
  }
  return c.redirect(target, 303);
};

type SignInState = { returnTo: string; username?: string; method?: 'password' | 'token'; error?: string; status?: 200 | 401 | 429 };

/** The sign-in form's CSRF token: the session's when signed in, else the `ft_sign_in` cookie's (set here when missing). */
function signInCsrf(c: Context<AppEnv>): string {
  const session = c.get('actor')?.csrfToken;
  if (session) return session;
  let token = getCookie(c, SIGN_IN_CSRF_COOKIE);
  if (!token || !/^[0-9a-f]{64}$/.test(token)) {
    token = randomHex(32);
    setCookie(c, SIGN_IN_CSRF_COOKIE, token, { path: SIGN_IN_PATH, httpOnly: true, sameSite: 'Strict', secure: isHttps(c) });
  }
  return token;
}

/**
 * Refuses a sign-in POST from another site: a foreign Origin or Sec-Fetch-Site, or a form
 * token that does not match the `ft_sign_in` cookie (a signed-in session's CSRF token was
 * checked by the access middleware already).
 */
function checkSignInOrigin(c: Context<AppEnv>, form: Record<string, unknown>) {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  const foreign = (origin !== undefined && origin !== new URL(c.req.url).origin) || (site !== undefined && site !== 'same-origin' && site !== 'none');
  if (foreign) throw new ForbiddenError('sign-in from another site is refused');
  if (c.get('actor')) return;
  const expected = getCookie(c, SIGN_IN_CSRF_COOKIE);
  const presented = c.req.header('x-csrf-token') ?? form._csrf;
  if (!expected || presented !== expected) throw new ForbiddenError('invalid or missing CSRF token; reload the page and try again');
}

function signInPage(c: Context<AppEnv>, state: SignInState) {
  const csrf = signInCsrf(c);
  const tokenFirst = state.method === 'token';
  return page(c, {
    title: 'Sign in',
    crumbs: [{ label: 'Sign in' }],
    status: state.status,
    body: (
      <section class="narrow">
        <h1>Sign in to flaretrack</h1>
        {state.error ? (
          <p class="alert" role="alert">
            {state.error}
          </p>
        ) : null}
        <form method="post" action={SIGN_IN_PATH} class="card stack" id="sign-in-password">
          <h2>With your password</h2>
          <input type="hidden" name="method" value="password" />
          <input type="hidden" name="return_to" value={state.returnTo} />
          <input type="hidden" name="_csrf" value={csrf} />
          <label>
            Username
            <input name="username" autocomplete="username" required value={state.username ?? ''} autofocus={!tokenFirst} />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit">Sign in</button>
        </form>
        <form method="post" action={SIGN_IN_PATH} class="card stack" id="sign-in-token">
          <h2>With a personal access token</h2>
          <input type="hidden" name="method" value="token" />
          <input type="hidden" name="return_to" value={state.returnTo} />
          <input type="hidden" name="_csrf" value={csrf} />
          <label>
            Personal access token
            <input name="token" type="password" autocomplete="off" required autofocus={tokenFirst} aria-describedby="token-hint" />
          </label>
          <p class="muted" id="token-hint">
            A token with the <code>api</code> scope (a <code>read_api</code> one may not sign in).
            {c.env.FLARETRACK_LOCAL === 'on' ? (
              <>
                {' '}
                The admin <code>root</code> that <code>npm start</code> made signs in with the token <code>npm start</code> printed (<code>MLFLOW_TRACKING_TOKEN</code>), or with a password once one is set.
              </>
            ) : null}
          </p>
          <button type="submit">Sign in with token</button>
        </form>
      </section>
    ),
  });
}

/** Checks the submitted credentials; the user, or a reason they are refused. */
type Checked = { user: User; token?: Actor } | { error: string; status?: 401 | 429 };

const TOO_MANY = 'Too many sign-in attempts. Try again in a minute.';

/** Checks the submitted credentials (throttled first); the user, or a reason they are refused. */
async function checkCredentials(c: Context<AppEnv>, form: Record<string, unknown>): Promise<Checked> {
  const db = c.get('db');
  const limiters: SignInLimiters = { byClient: c.env.SIGN_IN_BY_CLIENT, byAccount: c.env.SIGN_IN_BY_ACCOUNT };
  // Cloudflare always sets CF-Connecting-IP; without it (a local run) there is no client to count.
  const client = c.req.header('cf-connecting-ip');
  if (client && !(await allowClientAttempt(limiters, client))) return { error: TOO_MANY, status: 429 };
  if (form.method === 'token') {
    const actor = typeof form.token === 'string' && form.token ? (await authenticateToken(db, form.token.trim()))?.actor : null;
    if (!actor) return { error: 'That token is not valid (unknown, expired or revoked).' };
    if (!actor.scopes.includes('api')) return { error: 'That token may only read (read_api); sign in with an api token or your password.' };
    return { user: actor.user, token: actor };
  }
  const username = typeof form.username === 'string' ? form.username.trim() : '';
  const password = typeof form.password === 'string' ? form.password : '';
  const user = username ? await findUserByUsername(db, username) : undefined;
  if (!(await allowAccountAttempt(limiters, username, user, getCookie(c, DEVICE_COOKIE)))) return { error: TOO_MANY, status: 429 };
  const ok = !!user?.passwordHash && !!password && password.length <= 1024 && (await verifyPassword(password, user.passwordHash));
  if (!ok || !user || user.isBlocked) return { error: 'Invalid username or password.' };
  return { user };
}

/** Behind Cloudflare Access there is no password form: Access signs people in. */
function accessSignInPage(c: Context<AppEnv>) {
  return page(c, {
    title: 'Sign in',
    crumbs: [{ label: 'Sign in' }],
    status: 401,
    body: (
      <section class="narrow">
        <h1>Sign in to flaretrack</h1>
        <p class="alert" role="alert">
          This instance signs you in through Cloudflare Access, and this request came without an Access identity. Open flaretrack
          through its Access-protected address and sign in there.
        </p>
      </section>
    ),
  });
}

/** The sign-in and sign-out routes (routes declared in `routes.ui`). */
export const sessionRoutes = handlers();

sessionRoutes.on(routes.ui.signIn, (c) => {
  if (accessConfig(c.env)) return accessSignInPage(c);
  const returnTo = safeReturnTo(c.req.query('return_to'));
  if (c.get('actor')) return c.redirect(returnTo, 303);
  return signInPage(c, { returnTo });
});

sessionRoutes.on(routes.ui.submitSignIn, async (c) => {
  if (accessConfig(c.env)) return accessSignInPage(c);
  const form = await formBody(c);
  checkSignInOrigin(c, form);
  const returnTo = safeReturnTo(form.return_to);
  const method = form.method === 'token' ? 'token' : 'password';
  const username = typeof form.username === 'string' ? form.username.trim() : '';
  const result = await checkCredentials(c, form);
  if ('error' in result) return signInPage(c, { returnTo, username, method, status: result.status ?? 401, error: result.error });
  const { user, token } = result;
  const secret = await createSession(c.get('db'), {
    userId: user.id,
    token: token ? { id: token.tokenId!, expiresAt: token.expiresAt } : undefined,
    ipAddress: c.req.header('cf-connecting-ip'),
    userAgent: c.req.header('user-agent'),
  });
  setSessionCookie(c, secret);
  const proof = token ? undefined : await deviceProof(user);
  if (proof) setCookie(c, DEVICE_COOKIE, proof, { path: SIGN_IN_PATH, httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge: 365 * 24 * 3600 });
  return c.redirect(returnTo, 303);
});

sessionRoutes.on(routes.ui.signOut, async (c) => {
  const secret = getCookie(c, SESSION_COOKIE);
  if (secret) await deleteSession(c.get('db'), secret);
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: new URL(c.req.url).protocol === 'https:' });
  // Behind Access, signing out ends the Access session too (Access answers this path itself).
  return c.redirect(accessConfig(c.env) ? '/cdn-cgi/access/logout' : SIGN_IN_PATH, 303);
});

sessionRoutes.on(routes.ui.activeSessions, async (c) => {
  const actor = requireActor(c);
  const list = await listSessions(c.get('db'), actor.user.id, getCookie(c, SESSION_COOKIE));
  const csrf = actor.csrfToken ?? '';
  return page(c, {
    title: 'Active sessions',
    crumbs: [{ label: 'Active sessions' }],
    body: (
      <section>
        <h1>Active sessions</h1>
        <p>Every browser signed in as you. End any you do not recognise; a session started with a token also ends when that token is revoked or expires.</p>
        {list.length === 0 ? (
          <p class="empty">No browser is signed in as you.</p>
        ) : (
          <DataTable columns={['Signed in', 'From', 'Browser', 'With', 'Expires', { label: <span class="visually-hidden">End</span> }]} id="active-sessions">
            {list.map((s) => (
              <tr>
                <td>
                  <Time ms={s.createdAt} />
                  {s.current ? ' (this browser)' : ''}
                </td>
                <td>{s.ipAddress ?? 'unknown'}</td>
                <td>{s.userAgent ?? 'unknown'}</td>
                <td>{s.viaToken ? 'a token' : 'a password'}</td>
                <td>
                  <Time ms={s.expiresAt} />
                </td>
                <td>
                  <form method="post" action={routes.ui.revokeSession.link({ id: s.id })}>
                    <input type="hidden" name="_csrf" value={csrf} />
                    <button type="submit">End</button>
                  </form>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    ),
  });
});

sessionRoutes.on(routes.ui.revokeSession, async (c) => {
  const actor = requireActor(c);
  await endSession(c.get('db'), actor.user.id, c.req.param('id'));
  return c.redirect(routes.ui.activeSessions.link(), 303);
});
