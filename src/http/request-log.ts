/**
 * Structured logs: one JSON line per request and one per unhandled error, each with the
 * request's id, which also goes back in the `X-Request-Id` header. Workers Logs indexes the
 * fields (query `request_id`, `status`, `path`); `wrangler tail --format json` streams them.
 * The id is Cloudflare's Ray ID when the request has one, so it matches the edge's own logs.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';

/** The response header carrying the request id. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

const RAY_ID = /^[0-9a-f]{16}(?:-[A-Z]{3})?$/;

/** The request's id: its Ray ID on Cloudflare, else a fresh UUID. */
function requestIdOf(c: Context): string {
  const ray = c.req.header('cf-ray');
  return ray && RAY_ID.test(ray) ? ray : crypto.randomUUID();
}

/** Gives the request an id, and logs it once answered: method, path, status, duration, user. */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = requestIdOf(c);
  c.set('requestId', id);
  const started = Date.now();
  await next();
  c.header(REQUEST_ID_HEADER, id);
  const status = c.res.status;
  console[status >= 500 ? 'error' : 'log'](
    JSON.stringify({
      level: status >= 500 ? 'error' : 'info',
      message: 'request',
      request_id: id,
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Date.now() - started,
      user: c.get('actor')?.user.username ?? null,
    }),
  );
};

/** Logs an unhandled error with the request's id, its name, message and stack. */
export function logError(c: Context<AppEnv>, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  console.error(
    JSON.stringify({
      level: 'error',
      message: 'unhandled error',
      request_id: c.get('requestId') ?? null,
      method: c.req.method,
      path: c.req.path,
      error: e.name,
      error_message: e.message,
      stack: e.stack,
    }),
  );
}
