/**
 * Security headers for the UI's answers, by Hono's secure-headers middleware: a strict
 * Content-Security-Policy (scripts and styles only from this origin, nothing inline), no framing,
 * no sniffing, HSTS, same-origin opener and resources. An answer that sets its own policy (raw
 * artifact bytes, sandboxed) keeps it.
 */
import { secureHeaders } from 'hono/secure-headers';

/** Adds the security headers to the answers that pass through it. */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'same-origin',
  overwrite: false,
});
