/**
 * The HTTP side of access, for every request: who is calling (token, basic auth, or session
 * cookie), which project they address and what they may do there, and the ML feature flag gate.
 * What each route needs is read from its declaration (see `mount.ts`).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from './env';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';
import { isOnFor, readFlag, type FlagState } from '../flags/flags';
import type { Actor } from '../access/actor';
import { accessConfig, accessUser, isUserOf, verifyAccessJwt, type AccessConfig } from '../access/cloudflare-access';
import type { Authenticated } from '../access/preload';
import { bootstrapInstance } from '../access/bootstrap';
import { timingSafeEqual } from '../access/crypto';
import { can, type Ability, type ProjectAccess } from '../access/policy';
import { loadProjectAccess, toProjectAccess } from '../access/projects';
import { authenticateSession, createSession, SESSION_TTL_MS } from '../access/sessions';
import { authenticateToken } from '../access/tokens';
import { formBody, isForm } from './body';
import { projectRefFromPath, routeOf } from './matched';
import type { Route } from './route';

/** The session cookie's name. */
export const SESSION_COOKIE = 'ft_session';

type Credentials = { kind: 'token'; secret: string; username?: string } | { kind: 'session'; secret: string } | null;

function readCredentials(c: Context): Credentials {
  const header = c.req.header('authorization');
  if (header) {
    const [scheme, value = ''] = header.split(/\s+/, 2);
    if (/^bearer$/i.test(scheme)) return { kind: 'token', secret: value };
    if (/^basic$/i.test(scheme)) {
      let decoded = '';
      try {
        decoded = atob(value);
      } catch {
        throw new UnauthenticatedError('malformed basic authorization');
      }
      const colon = decoded.indexOf(':');
      return { kind: 'token', username: decoded.slice(0, colon < 0 ? 0 : colon), secret: decoded.slice(colon + 1) };
    }
    throw new UnauthenticatedError(`unsupported authorization scheme '${scheme}'`);
  }
  const privateToken = c.req.header('private-token');
  if (privateToken) return { kind: 'token', secret: privateToken };
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) return { kind: 'session', secret: cookie };
  return null;
}

/** Whether a request only reads (what a `read_api` token may do): a GET, or a route declared read-only. */
export function isReadRequest(method: string, route: Route | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || route?.readOnly === true;
}

/**
 * Sets `actor` (`db`, the request's D1 session, is set before: see http/d1-session.ts).
 * Presented credentials that do not check out are a 401; none at all leaves the actor null
 * (routes decide). A read_api token may only read; a session must carry
 * its CSRF token on anything that writes. Behind Cloudflare Access, the Access JWT says who a
 * browser is. The first request with the bootstrap token creates the instance admin.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const route = routeOf(c);
  // An ML route checks the flag after authenticating: its KV read runs while D1 authenticates.
  if (route?.ml) void mlFlagState(c);
  const db = c.get('db');
  const creds = readCredentials(c);
  const ref = creds ? projectRefFromPath(route, c.req.path) : undefined;
  let found: Authenticated | null = null;
  if (creds?.kind === 'token') {
    found = await authenticateToken(db, creds.secret, ref);
    const bootstrap = c.env.FLARETRACK_BOOTSTRAP_TOKEN;
    if (!found && bootstrap && timingSafeEqual(creds.secret, bootstrap) && (await bootstrapInstance(db, c.env.FLAGS, bootstrap, c.env.FLARETRACK_LOCAL === 'on'))) {
      found = await authenticateToken(db, creds.secret, ref);
    }
    if (!found) throw new UnauthenticatedError('invalid, expired or revoked token');
    const { actor } = found;
    if (creds.username !== undefined && creds.username.toLowerCase() !== actor.user.username.toLowerCase()) {
      throw new UnauthenticatedError('the username does not match the token');
    }
    if (!isReadRequest(c.req.method, route) && !actor.scopes.includes('api')) {
      throw new ForbiddenError('insufficient_scope: this token may only read (read_api)');
    }
  } else {
    const access = accessConfig(c.env);
    const session = creds?.kind === 'session' ? creds.secret : undefined;
    if (access) found = await authenticateAccess(c, access, session, ref);
    else if (session) found = await authenticateSession(db, session, ref);
    if (found && !isReadRequest(c.req.method, route)) await checkCsrf(c, found.actor.csrfToken!);
  }
  c.set('actor', found?.actor ?? null);
  if (found?.preloaded) c.set('preloaded', found.preloaded);
  await next();
};

/** Sets the session cookie (HttpOnly, SameSite=Lax, Secure on https). */
export function setSessionCookie(c: Context, secret: string) {
  setCookie(c, SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

/**
 * Behind Cloudflare Access a browser is who its verified Access JWT says (by email); the session
 * cookie only carries the CSRF token, and one is started when it is missing or another user's.
 * No JWT, or a service token's (no email), is anonymous: the API takes personal access tokens.
 */
async function authenticateAccess(c: Context<AppEnv>, config: AccessConfig, session: string | undefined, ref?: string): Promise<Authenticated | null> {
  const jwt = c.req.header('cf-access-jwt-assertion');
  if (!jwt) return null;
  const { email } = await verifyAccessJwt(config, jwt);
  if (!email) return null;
  const db = c.get('db');
  const current = session ? await authenticateSession(db, session, ref) : null;
  if (current && isUserOf(current.actor.user, email)) return current;
  const user = await accessUser(db, email, config.createUsers);
  const secret = await createSession(db, { userId: user.id, ipAddress: c.req.header('cf-connecting-ip'), userAgent: c.req.header('user-agent') });
  setSessionCookie(c, secret);
  return authenticateSession(db, secret, ref);
}

/**
 * The actor's access to the project `ref` names: from the authentication query when it
 * already loaded that project, else one query. NotFoundError when it may not be seen.
 */
export async function projectAccess(c: Context<AppEnv>, ref: string): Promise<ProjectAccess> {
  const actor = c.get('actor');
  const preloaded = c.get('preloaded');
  if (preloaded && preloaded.ref === ref) return toProjectAccess(preloaded.project, preloaded.level, actor);
  return loadProjectAccess(c.get('db'), ref, actor);
}

async function checkCsrf(c: Context, expected: string) {
  let presented = c.req.header('x-csrf-token');
  if (!presented && isForm(c)) {
    const form = await formBody(c);
    presented = typeof form._csrf === 'string' ? form._csrf : undefined;
  }
  if (presented === undefined || !timingSafeEqual(presented, expected)) throw new ForbiddenError('invalid or missing CSRF token; reload the page and try again');
}

/** The actor, or a 401 when the request is anonymous. */
export function requireActor(c: Context<AppEnv>): Actor {
  const actor = c.get('actor');
  if (!actor) throw new UnauthenticatedError('401 Unauthorized');
  return actor;
}

/**
 * Loads the project named by the route parameter `param` (an id or a URL-encoded path) and
 * checks `ability`: a project the actor may not read is a 404, as if it did not exist; one
 * they may read but not act on is a 403.
 */
export function loadProject(param: string, ability: Ability): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const access = await projectAccess(c, c.req.param(param) ?? '');
    c.set('access', access);
    if (!can(access, 'read_project')) throw new NotFoundError('404 Project Not Found');
    if (!can(access, ability)) throw new ForbiddenError('403 Forbidden: you may not do this in this project');
    await next();
  };
}

/** A 401 for an anonymous request. */
export const requireActorOf: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireActor(c);
  await next();
};

/** A 403 unless the actor is an instance admin. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!requireActor(c).user.isAdmin) throw new ForbiddenError('403 Forbidden: admins only');
  await next();
};

/**
 * Sets `access` from the `namespace` and `project` route parameters of a page (or its `id`: a
 * project id or path); needs `read_ml`: a project the visitor may not read ML data of answers
 * 404 (the UI shows no "forbidden").
 */
export const loadUiProject: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ref = c.req.param('id') ?? `${c.req.param('namespace') ?? ''}/${c.req.param('project') ?? ''}`;
  const access = await projectAccess(c, ref);
  if (!can(access, 'read_ml')) throw new NotFoundError('404 Project Not Found');
  c.set('access', access);
  await next();
};

/** Requires an ability on the already loaded project. */
export function requireAbility(c: Context<AppEnv>, ability: Ability): void {
  if (!can(c.get('access'), ability)) throw new ForbiddenError('403 Forbidden: you may not do this in this project');
}

/** Middleware requiring an ability on the already loaded project. */
export const requireAbilityOf =
  (ability: Ability): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    requireAbility(c, ability);
    await next();
  };

/** The ML flag's state for this request: one KV read, started at most once per request. */
function mlFlagState(c: Context<AppEnv>): Promise<FlagState> {
  let state = c.get('mlFlag');
  if (!state) {
    state = readFlag(c.env.FLAGS, 'ml_experiment_tracking');
    c.set('mlFlag', state);
  }
  return state;
}

/** Whether ml_experiment_tracking is on for a project (the loaded one by default). */
export async function mlFlagOn(c: Context<AppEnv>, projectId = c.get('access').project.id): Promise<boolean> {
  return isOnFor(await mlFlagState(c), projectId);
}

/** 404 unless ml_experiment_tracking is on for the loaded project. */
export const requireMlFlag: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await mlFlagOn(c))) throw new NotFoundError('Not Found');
  await next();
};
