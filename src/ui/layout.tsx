/**
 * The page frame every UI page shares: document head (CSS, htmx, the app script), header with
 * the signed-in user and sign-out, breadcrumb, and the rule that an htmx request (HX-Request)
 * gets only the fragment it swaps while any other request gets the whole document.
 */
import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../http/env';
import { projectsPath } from './paths';
import { routes } from '../http/routes';

/** One step of the breadcrumb; the last one is the current page (no link). */
export type Crumb = { label: string; href?: string };

/** True when htmx asks for a fragment (and not for a whole page to restore history). */
export function wantsFragment(c: Context<AppEnv>): boolean {
  return c.req.header('hx-request') === 'true' && c.req.header('hx-history-restore-request') !== 'true';
}

type PageOptions = {
  title: string;
  crumbs: Crumb[];
  /** The page's main content. */
  body: Child;
  /** What an htmx request gets instead of the whole page (defaults to the whole page). */
  fragment?: () => Child;
  /** Extra scripts (served from /assets) this page needs. */
  scripts?: string[];
  /** Extra stylesheets (served from /assets) this page needs. */
  styles?: string[];
  status?: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500;
};

/** Answers a page: the fragment for htmx requests that name one, else the whole document. */
export function page(c: Context<AppEnv>, opts: PageOptions) {
  c.header('Vary', 'HX-Request');
  c.header('Cache-Control', 'private, no-store');
  const status = opts.status ?? 200;
  if (opts.fragment && wantsFragment(c)) return c.html(<>{opts.fragment()}</>, status);
  return c.html(<Document c={c} {...opts} />, status);
}

function Document(props: PageOptions & { c: Context<AppEnv> }) {
  const actor = props.c.get('actor');
  const csrf = actor?.csrfToken;
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content='{"includeIndicatorCSS":false}' />
          <title>{props.title} · flaretrack</title>
          <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/assets/app.css" />
          {(props.styles ?? []).map((href) => (
            <link rel="stylesheet" href={href} />
          ))}
          <script src="/assets/vendor/htmx.min.js" defer></script>
          <script src="/assets/app.js" defer></script>
          {(props.scripts ?? []).map((src) => (
            <script src={src} defer></script>
          ))}
        </head>
        <body hx-headers:inherited={csrf ? JSON.stringify({ 'X-CSRF-Token': csrf }) : undefined}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="top">
            <a class="brand" href={projectsPath()}>
              flaretrack
            </a>
            <div id="loading" class="loading htmx-indicator" role="progressbar" aria-label="Loading"></div>
            {actor ? (
              <form class="user" method="post" action={routes.ui.signOut.link()}>
                <span class="who" title={actor.user.name}>
                  {actor.user.username}
                </span>
                <a href={routes.ui.activeSessions.link()}>Sessions</a>
                <input type="hidden" name="_csrf" value={csrf ?? ''} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            ) : null}
          </header>
          <nav class="crumbs" aria-label="Breadcrumb">
            <ol>
              {props.crumbs.map((crumb, i) => (
                <li>
                  {crumb.href && i < props.crumbs.length - 1 ? (
                    <a href={crumb.href}>{crumb.label}</a>
                  ) : (
                    <span aria-current="page">{crumb.label}</span>
                  )}
                </li>
              ))}
            </ol>
          </nav>
          <main id="main" tabindex={-1}>
            {props.body}
          </main>
        </body>
      </html>
    </>
  );
}
