/**
 * Request bodies, one rule for every route: a route takes at most the bound its declaration
 * states (`body` in `routes.ts`; 1 MiB unless stated), read as it streams and abandoned as soon as
 * it passes the bound, whether or not a Content-Length was sent. Uploads streamed to R2 are
 * declared `body: 'stream'` and keep their own, larger limits (src/packages). The readers below
 * refuse what a client did not mean: invalid UTF-8, lone surrogates, a malformed form (400).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';
import { InvalidInputError } from '../errors';
import type { BodyBound } from './body-bounds';
import { routeOf } from './matched';

/** The body's bytes, read while it streams and abandoned as soon as it passes the bound. */
async function readBounded(body: ReadableStream<Uint8Array>, bound: BodyBound): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > bound.bytes) {
      await reader.cancel().catch(() => undefined);
      throw bound.error();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Bounds the body of the request's route (runs before anything reads it, the CSRF check
 * included): an announced length over the bound is refused at once, else the body is read up
 * to the bound and handed on from memory. Streamed uploads and bodiless requests pass untouched.
 */
export const boundBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const route = routeOf(c);
  const body = c.req.raw.body;
  if (!route || route.body === 'stream' || !body || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  const bound = route.body;
  if (Number(c.req.header('content-length') ?? 0) > bound.bytes) throw bound.error();
  c.req.raw = new Request(c.req.raw, { body: await readBounded(body, bound) });
  await next();
};

// A lone surrogate (an unpaired \ud800-\udfff escape): not a Unicode character.
const LONE_SURROGATE = /\p{Cs}/u;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body as text: valid UTF-8 only (400 otherwise, never decoded with replacement characters). */
async function utf8Text(c: Context): Promise<string> {
  try {
    return fatalUtf8.decode(await c.req.arrayBuffer());
  } catch {
    throw new InvalidInputError('request body is not valid UTF-8');
  }
}

/**
 * The body as JSON, exactly as sent: valid UTF-8, no lone surrogates in keys or strings (400,
 * as MLflow), an empty body read as `{}`. `prepare` may rewrite the text first (MLflow's bare NaN).
 */
export async function jsonBody(c: Context, prepare: (text: string) => string = (t) => t): Promise<unknown> {
  const text = await utf8Text(c);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(prepare(text), (key, value) => {
      if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value))) {
        throw new InvalidInputError('request body holds an invalid Unicode string (a lone surrogate)');
      }
      return value;
    });
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw new InvalidInputError('request body is not valid JSON');
  }
}

/** Whether the request carries a form (urlencoded or multipart). */
export function isForm(c: Context): boolean {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/**
 * The fields of a posted form (`all`: repeated names as lists). An urlencoded form must be
 * valid UTF-8 once decoded; a form that cannot be parsed is a 400, not a 500.
 */
export async function formBody(c: Context, all = false): Promise<Record<string, string | File | (string | File)[]>> {
  if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    // each run of %XX escapes must decode to UTF-8 (a lone `%` stays a `%`, as in URLSearchParams)
    for (const escapes of (await utf8Text(c)).match(/(?:%[0-9a-f]{2})+/gi) ?? []) {
      try {
        decodeURIComponent(escapes);
      } catch {
        throw new InvalidInputError('request body is not a valid form: a field is not valid UTF-8 once decoded');
      }
    }
  }
  try {
    return await c.req.parseBody({ all });
  } catch (e) {
    if (e instanceof TypeError) throw new InvalidInputError(`request body is not a valid form: ${e.message}`);
    throw e;
  }
}
