/**
 * D1's Sessions API for every request: its queries run in one D1 session that starts from the
 * bookmark the caller brings back (a cookie for browsers, the `X-D1-Bookmark` header for API
 * clients), so a read replica serves it only once it has caught up with the caller's last write:
 * people read their own writes while reads spread over replicas. A caller without a bookmark
 * starts on the primary, as every request did before replication. The session's latest bookmark
 * goes back with the answer.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from './env';
import { openDatabase } from '../db/client';

/** The bookmark's cookie (browser sessions). */
export const BOOKMARK_COOKIE = 'ft_d1_bookmark';
/** The bookmark's request and response header (API clients). */
export const BOOKMARK_HEADER = 'X-D1-Bookmark';

// A D1 bookmark: hex fields joined by dashes (anything else is ignored, never sent to D1).
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){1,7}$/;

/** Opens `db` on a D1 session for the request, and hands the session's bookmark back. */
export const d1Session: MiddlewareHandler<AppEnv> = async (c, next) => {
  const presented = c.req.header(BOOKMARK_HEADER) ?? getCookie(c, BOOKMARK_COOKIE);
  const start = presented && BOOKMARK.test(presented) ? presented : 'first-primary';
  const session = c.env.DB.withSession(start);
  c.set('db', openDatabase(session));
  await next();
  const bookmark = session.getBookmark();
  if (!bookmark || bookmark === presented) return;
  c.header(BOOKMARK_HEADER, bookmark);
  // A signed-in browser (or one signing in now) carries it in a cookie; token clients (the MLflow
  // client) may echo the header. Anonymous browsers have no writes of their own to read, and a
  // refused request (4xx, 5xx) wrote nothing.
  if (c.res.status >= 400) return;
  const signedIn = c.get('actor')?.via === 'session' || c.res.headers.getSetCookie().some((line) => /^ft_session=[^;]/.test(line));
  if (signedIn) {
    setCookie(c, BOOKMARK_COOKIE, bookmark, { path: '/', httpOnly: true, sameSite: 'Lax', secure: new URL(c.req.url).protocol === 'https:' });
  }
};
