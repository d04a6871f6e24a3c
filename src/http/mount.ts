/**
 * Turns the declarations of `routes.ts` into Hono routes: each declared route is registered
 * once, in declaration order, behind the middleware its declaration asks for (a signed-in
 * caller, an admin, the project of the path with an ability, the ML flag). A request's route
 * is found among Hono's own matches (no second matching).
 */
import type { Handler, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import type { Route } from './route';
import { recordRoute } from './matched';
import { routes } from './routes';
import { loadProject, loadUiProject, requireAbilityOf, requireActorOf, requireAdmin, requireMlFlag } from './middleware';

/** Handlers of declared routes, collected by a protocol file: `handlers().on(routes.runs.create, async (c) => …)`. */
export class Handlers {
  /** The routes handled here and their handlers. */
  readonly entries: [Route, Handler<AppEnv>][] = [];

  /** Handles `route` with `handler` (typed with the route's path parameters). */
  on<P extends string>(route: Route<P>, handler: Handler<AppEnv, P>): this {
    this.entries.push([route, handler as Handler<AppEnv>]);
    return this;
  }
}

/** A new set of handlers. */
export const handlers = () => new Handlers();

/** Every declared route, in declaration order. */
export function declaredRoutes(tree: object = routes): Route[] {
  return Object.values(tree).flatMap((v: Route | object) => ('protocol' in v ? [v as Route] : declaredRoutes(v)));
}

/** The middleware a route's declaration asks for, in the order they run. */
function middlewareOf(route: Route): MiddlewareHandler<AppEnv>[] {
  const chain: MiddlewareHandler<AppEnv>[] = [];
  // The UI sends anonymous visitors to sign in (a global middleware); the APIs answer 401.
  if (route.signedIn && route.protocol !== 'html') chain.push(requireActorOf);
  if (route.admin) chain.push(requireAdmin);
  if (route.ability) {
    // ML routes and pages load the project with read_ml, then check the flag, then the route's ability.
    const loadWith = route.ml || route.protocol === 'html' ? 'read_ml' : route.ability;
    chain.push(route.protocol === 'html' ? loadUiProject : loadProject('id', loadWith));
    if (route.ml) chain.push(requireMlFlag);
    if (route.ability !== loadWith) chain.push(requireAbilityOf(route.ability));
  }
  return chain;
}

/**
 * Registers every declared route on `app` with its handler from `sets`. Throws at start-up when
 * a declared route has no handler or two, or a handler's route is not declared.
 */
export function mount(app: Hono<AppEnv>, sets: Handlers[]): void {
  const declared = declaredRoutes();
  const handlerOf = new Map<Route, Handler<AppEnv>>();
  for (const [route, handler] of sets.flatMap((s) => s.entries)) {
    if (!declared.includes(route)) throw new Error(`a handler for an undeclared route: ${route.path}`);
    if (handlerOf.has(route)) throw new Error(`two handlers for ${route.methods.join('|')} ${route.path}`);
    handlerOf.set(route, handler);
  }
  for (const route of declared) {
    const handler = handlerOf.get(route);
    if (!handler) throw new Error(`no handler for ${route.methods.join('|')} ${route.path}`);
    const before = app.routes.length;
    const on = app.on.bind(app) as (methods: string[], path: string, ...h: Handler<AppEnv>[]) => unknown;
    on([...route.methods], route.path, ...middlewareOf(route), handler);
    for (const r of app.routes.slice(before)) recordRoute(r, route);
  }
}
