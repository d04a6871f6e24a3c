/**
 * Signing in and out of the UI: username and password, or a personal access token (`api`
 * scope); behind Cloudflare Access, Access signs people in and there is no form. Success sets the `ft_session` cookie (HttpOnly, SameSite=Lax, Secure on https) and
 * answers 303; failures are counted per login and slowed down by the access part.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import type { AppEnv } from '../env';
import type { User } from '../access/actor';
import { verifyPassword } from '../access/crypto';
import { accessConfig } from '../access/cloudflare-access';
import { SESSION_COOKIE, setSessionCookie } from '../access/middleware';
import { clearSignInFailures, createSession, deleteSession, recordSignInFailure, signInDelay } from '../access/sessions';
import { authenticateToken } from '../access/tokens';
import { findUserByUsername } from '../access/users';
import { page, wantsFragment } from './layout';

/** Where the sign-in page lives. */
export const SIGN_IN_PATH = '/-/sign_in';

/** Only same-site paths may be returned to after signing in. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !value.startsWith('/-/sign_') ? value : '/';
}

/**
 * Sends anonymous visitors of any UI page to the sign-in page (htmx requests through
 * HX-Redirect); the sign-in and sign-out routes and the APIs pass.
 */
export const requireSignedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('actor') || c.req.path.startsWith('/api/') || c.req.path.startsWith('/-/sign_')) return next();
  const url = new URL(c.req.url);
  const target = `${SIGN_IN_PATH}?return_to=${encodeURIComponent(url.pathname + url.search)}`;
  if (wantsFragment(c)) {
    c.header('HX-Redirect', target);
    return c.body(null, 204);
  }
  return c.redirect(target, 303);
};

type SignInState = { returnTo: string; username?: string; method?: 'password' | 'token'; error?: string; status?: 200 | 401 | 429 };

function signInPage(c: Context<AppEnv>, state: SignInState) {
  const csrf = c.get('actor')?.csrfToken;
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
          {csrf ? <input type="hidden" name="_csrf" value={csrf} /> : null}
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
          {csrf ? <input type="hidden" name="_csrf" value={csrf} /> : null}
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
async function checkCredentials(c: Context<AppEnv>, form: Record<string, unknown>): Promise<{ user: User } | { error: string }> {
  const db = c.get('db');
  if (form.method === 'token') {
    const actor = typeof form.token === 'string' && form.token ? (await authenticateToken(db, form.token.trim()))?.actor : null;
    if (!actor) return { error: 'That token is not valid (unknown, expired or revoked).' };
    if (!actor.scopes.includes('api')) return { error: 'That token may only read (read_api); sign in with an api token or your password.' };
    return { user: actor.user };
  }
  const username = typeof form.username === 'string' ? form.username.trim() : '';
  const password = typeof form.password === 'string' ? form.password : '';
  const user = username ? await findUserByUsername(db, username) : undefined;
  const ok = !!user?.passwordHash && !!password && (await verifyPassword(password, user.passwordHash));
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

/** The sign-in and sign-out routes (mounted at `/-`). */
export const sessionRoutes = new Hono<AppEnv>();

sessionRoutes.use('/sign_in', async (c, next) => (accessConfig(c.env) ? accessSignInPage(c) : next()));

sessionRoutes.get('/sign_in', (c) => {
  const returnTo = safeReturnTo(c.req.query('return_to'));
  if (c.get('actor')) return c.redirect(returnTo, 303);
  return signInPage(c, { returnTo });
});

sessionRoutes.post('/sign_in', async (c) => {
  const form = await c.req.parseBody();
  const returnTo = safeReturnTo(form.return_to);
  const method = form.method === 'token' ? 'token' : 'password';
  const username = typeof form.username === 'string' ? form.username.trim() : '';
  // Token guesses are throttled per client address, password guesses per username.
  const login = method === 'token' ? `token@${c.req.header('cf-connecting-ip') ?? 'local'}` : username;
  const db = c.get('db');
  const wait = await signInDelay(db, login);
  if (wait > 0) {
    return signInPage(c, {
      returnTo,
      username,
      method,
      status: 429,
      error: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 1000)} seconds.`,
    });
  }
  const result = await checkCredentials(c, form);
  if ('error' in result) {
    await recordSignInFailure(db, login);
    return signInPage(c, { returnTo, username, method, status: 401, error: result.error });
  }
  await clearSignInFailures(db, login);
  setSessionCookie(c, await createSession(db, result.user.id));
  return c.redirect(returnTo, 303);
});

sessionRoutes.post('/sign_out', async (c) => {
  const secret = getCookie(c, SESSION_COOKIE);
  if (secret) await deleteSession(c.get('db'), secret);
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: new URL(c.req.url).protocol === 'https:' });
  // Behind Access, signing out ends the Access session too (Access answers this path itself).
  return c.redirect(accessConfig(c.env) ? '/cdn-cgi/access/logout' : SIGN_IN_PATH, 303);
});
