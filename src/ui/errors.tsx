/**
 * The HTML error pages: one page for every domain error on a UI path, with the status its kind
 * deserves. A project the visitor may not see, a missing page and a feature that is off all
 * read the same "not found".
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { httpStatusOf, type DomainError } from '../errors';
import { page } from './layout';
import { SIGN_IN_PATH } from './session';
import { projectsPath } from './paths';

const TITLE = {
  404: 'Page not found',
  409: 'Conflict',
  400: 'Bad request',
  403: 'Not allowed',
  401: 'Sign in required',
  413: 'Too large',
  500: 'Something went wrong',
} as const;

/** Renders the error page (or, for htmx requests, an error box) for an error's status. */
export function errorPage(c: Context<AppEnv>, status: keyof typeof TITLE, message: string) {
  const title = TITLE[status];
  const box = () => (
    <div class="alert" role="alert">
      <strong>{title}.</strong> {message}
    </div>
  );
  return page(c, {
    title,
    status,
    crumbs: [{ label: title }],
    fragment: box,
    body: (
      <section class="narrow error-page">
        <h1>{title}</h1>
        <p>{status === 404 ? 'The page you asked for does not exist, or you do not have access to it.' : message}</p>
        <p>
          {status === 401 ? <a href={SIGN_IN_PATH}>Sign in</a> : <a href={projectsPath()}>Back to your projects</a>}
        </p>
      </section>
    ),
  });
}

/** The HTML answer for a domain error. */
export function domainErrorPage(c: Context<AppEnv>, error: DomainError) {
  return errorPage(c, httpStatusOf(error), error.message);
}
