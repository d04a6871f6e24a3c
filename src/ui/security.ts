/**
 * Security headers for every HTML answer of the UI: a strict Content-Security-Policy (scripts
 * and styles only from this origin, nothing inline), no framing, no sniffing. Answers that set
 * their own policy and framing (raw artifact bytes, an HTML artifact framed by its preview) keep them.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/** The UI's Content-Security-Policy. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Adds the security headers to HTML responses that pass through it. */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const type = c.res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/html')) return;
  if (!c.res.headers.has('content-security-policy')) c.res.headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  if (!c.res.headers.has('x-frame-options')) c.res.headers.set('X-Frame-Options', 'DENY');
  c.res.headers.set('Referrer-Policy', 'same-origin');
};
