/**
 * What a route declaration is: one endpoint's method(s), path, protocol, whether it only reads,
 * who may call it, and the link builder derived from its path. The declarations themselves are
 * in `routes.ts`; `mount.ts` turns them into Hono routes.
 */
import type { ParamKeys } from 'hono/types';
import type { Ability } from '../access/policy';
import { DEFAULT_BODY, type BodyBound } from './body-bounds';

/** The shape a route answers in, errors included. */
export type Protocol = 'mlflow' | 'gitlab' | 'html';

/** An HTTP method a route answers (HEAD is answered by GET routes). */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The values of a path's parameters, for building a link. */
export type LinkParams<P extends string> = { [K in ParamKeys<P> & string]: string | number };

/** Arguments of a link builder: the parameters (none for a fixed path), and the tail for a trailing `*`. */
export type LinkArgs<P extends string> = [ParamKeys<P>] extends [never] ? [params?: Record<string, never>, rest?: string] : [params: LinkParams<P>, rest?: string];

/** One endpoint, declared once. */
export type Route<P extends string = string> = {
  readonly protocol: Protocol;
  readonly methods: readonly (Method | 'ALL')[];
  /** The Hono path: `:name` parameters (an optional `{regex}`), a trailing `*`. */
  readonly path: P;
  /** Only reads: a `read_api` token may call it, a session needs no CSRF token (GET routes always). */
  readonly readOnly: boolean;
  /** An anonymous caller is turned away (401 from the APIs, the sign-in page in the UI). */
  readonly signedIn: boolean;
  /** Instance admins only. */
  readonly admin: boolean;
  /** The ability needed on the project of the path (loaded before the handler runs). */
  readonly ability?: Ability;
  /** The ml_experiment_tracking flag must be on for the project. */
  readonly ml: boolean;
  /** The most its request body may hold (see `body.ts`), or `stream`: an upload the handler streams to R2 under its own limits. */
  readonly body: BodyBound | 'stream';
  /** Where the project reference is in the path: the indexes of its segments in `path.split('/')`. */
  readonly projectSegments: readonly number[];
  /** This route's URL path with `params` filled in, each segment URL-encoded; `rest` replaces a trailing `*`. */
  readonly link: (...args: LinkArgs<P>) => string;
  /**
   * This route's URL path with `params` filled in and the parameters not given left as `:name`,
   * for a script to fill in (`.replace(':candidate_id', id)`): no URL-encoded value holds a `:`.
   */
  readonly template: (params: Partial<LinkParams<P>>) => string;
  /**
   * Reads a URL path of this route: its parameters (still URL-encoded; a `{regex}` is not
   * checked) and what a trailing `*` matched (`''` when nothing); null for a path it does not answer.
   */
  readonly match: (pathname: string) => { params: Record<string, string>; rest: string } | null;
};

/** What a declaration states; the rest is derived. */
export type Declaration = {
  readOnly?: boolean;
  signedIn?: boolean;
  admin?: boolean;
  ability?: Ability;
  ml?: boolean;
  body?: BodyBound | 'stream';
};

/** The parameter name of a path segment (`:id{[0-9]+}` → `id`), or undefined for a literal segment. */
function paramName(segment: string): string | undefined {
  if (!segment.startsWith(':')) return undefined;
  const brace = segment.indexOf('{');
  return brace < 0 ? segment.slice(1) : segment.slice(1, brace);
}

/**
 * The link builder of a path, compiled once: `:name` segments from `params`, each URL-encoded;
 * `rest` replaces a trailing `*`. With `open`, a parameter missing from `params` stays `:name`.
 */
export function pathLink(path: string, open = false): (params?: Record<string, string | number>, rest?: string) => string {
  const segments = path.split('/');
  const names = segments.map(paramName);
  const last = segments.length - 1;
  const param = (name: string, params: Record<string, string | number>) => (open && !(name in params) ? `:${name}` : encodeURIComponent(params[name]));
  return (params = {}, rest = '') => segments.map((s, i) => (names[i] !== undefined ? param(names[i]!, params) : s === '*' && i === last ? rest : s)).join('/') || '/';
}

/** The reader of a path's URLs, compiled once: the inverse of `pathLink`. */
export function pathMatch(path: string): Route['match'] {
  const segments = path.split('/');
  const names = segments.map(paramName);
  const fixed = segments.at(-1) === '*' ? segments.length - 1 : segments.length;
  return (pathname) => {
    const parts = pathname.split('/');
    if (fixed === segments.length ? parts.length !== fixed : parts.length < fixed) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < fixed; i++) {
      const name = names[i];
      if (name === undefined ? parts[i] !== segments[i] : parts[i] === '') return null;
      if (name !== undefined) params[name] = parts[i];
    }
    return { params, rest: parts.slice(fixed).join('/') };
  };
}

/** Declares a route: `link` and `projectSegments` are compiled once from the path. */
export function declare<P extends string>(protocol: Protocol, methods: Method | 'ALL' | readonly Method[], path: P, d: Declaration = {}): Route<P> {
  const list = typeof methods === 'string' ? [methods] : methods;
  const names = path.split('/').map(paramName);
  // A project is named by `:namespace/:project` (a page's path) or by `:id` (an id or a URL-encoded path).
  const projectSegments = names.includes('namespace') ? ['namespace', 'project'] : ['id'];
  return {
    protocol,
    methods: list,
    path,
    readOnly: d.readOnly ?? list.every((m) => m === 'GET'),
    signedIn: d.signedIn ?? false,
    admin: d.admin ?? false,
    ability: d.ability,
    ml: d.ml ?? false,
    body: d.body ?? DEFAULT_BODY,
    projectSegments: d.ability ? projectSegments.map((n) => names.indexOf(n)).filter((i) => i >= 0) : [],
    link: pathLink(path) as Route<P>['link'],
    template: pathLink(path, true) as Route<P>['template'],
    match: pathMatch(path),
  };
}
