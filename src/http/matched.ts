/**
 * Which declared route a request matched, found among Hono's own matches: a few lookups per
 * request, no second matching of the path.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { RouterRoute } from 'hono/types';
import type { AppEnv } from './env';
import type { Protocol, Route } from './route';

const declarationOf = new WeakMap<RouterRoute, Route>();

/** Notes that Hono's route `r` was registered for the declared `route` (by `mount`). */
export function recordRoute(r: RouterRoute, route: Route): void {
  declarationOf.set(r, route);
}

/** The declared route answering this request (undefined: none, a page that does not exist). */
export function routeOf(c: Context<AppEnv>): Route | undefined {
  let route = c.get('route');
  if (route === undefined) {
    route = null;
    for (const r of matchedRoutes(c)) {
      const found = declarationOf.get(r);
      if (found) {
        route = found;
        break;
      }
    }
    c.set('route', route);
  }
  return route ?? undefined;
}

/** The protocol of this request's route; a path no route declares is a UI page. */
export const protocolOf = (c: Context<AppEnv>): Protocol => routeOf(c)?.protocol ?? 'html';

/**
 * What the trailing `*` of the request's route matched, still URL-encoded (`a%2Fb/c` keeps
 * its `%2F`): the tail of the raw path after the route's fixed segments.
 */
export function rawWildcard(c: Context<AppEnv>): string {
  const url = c.req.url;
  const pathname = url.slice(url.indexOf('/', url.indexOf('//') + 2)).replace(/[?#].*$/, '');
  const fixed = (routeOf(c)?.path.split('/').length ?? 1) - 1;
  return pathname.split('/').slice(fixed).join('/');
}

/**
 * The project reference in `path` (an `:id`, URL-decoded; a page's `namespace/project`),
 * or undefined when the route names no project or the reference is malformed.
 */
export function projectRefFromPath(route: Route | undefined, path: string): string | undefined {
  if (!route || route.projectSegments.length === 0) return undefined;
  const parts = path.split('/');
  if (route.projectSegments.length === 2) return route.projectSegments.map((i) => parts[i]).join('/');
  try {
    return decodeURIComponent(parts[route.projectSegments[0]]);
  } catch {
    return undefined;
  }
}
