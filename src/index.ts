/**
 * flaretrack: builds the worker. Authentication runs first on every request; then the route the
 * request matched (declared in src/http/routes.ts): the GitLab API, the MLflow API or the UI,
 * each a thin protocol over the domain. Errors are answered in the shape of the route's
 * protocol, in one place.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv, Bindings } from './http/env';
import { DomainError, InvalidInputError, TooLargeError } from './errors';
import { authenticate } from './http/middleware';
import { boundBody } from './http/body';
import { d1Session } from './http/d1-session';
import { healthRoutes } from './http/health';
import { logError, requestLog } from './http/request-log';
import { protocolOf } from './http/matched';
import { mount } from './http/mount';
import { mlflowApi } from './api/mlflow';
import { mlflowError } from './api/mlflow/errors';
import { featuresApi } from './api/v4/features';
import { gitlabError } from './api/v4/errors';
import { projectsApi } from './api/v4/projects';
import { packagesApi } from './api/v4/packages';
import { usersApi } from './api/v4/users';
import { ui } from './ui';
import { copyLegacyHistoryOnSchedule } from './tracking/history-upgrade';
import { cleanUpPackages } from './packages/cleanup';
import { openDatabase } from './db/client';
import { domainErrorPage, errorPage } from './ui/errors';
import { securityHeaders } from './ui/security';
import { requireSignedIn } from './ui/session';

function protocolError(c: Context<AppEnv>, error: DomainError): Response | Promise<Response> {
  switch (protocolOf(c)) {
    case 'mlflow':
      return mlflowError(c, error);
    case 'gitlab':
      return gitlabError(c, error);
    case 'html':
      return domainErrorPage(c, error);
  }
}

const app = new Hono<AppEnv>();

// Every request: an id and a log line, its body bounded as its route declares, a D1 session from the caller's bookmark, then who is calling.
app.use(requestLog, boundBody, d1Session, authenticate);
// Every HTML answer gets the security headers; anonymous visitors of pages are sent to sign in.
app.use((c, next) => (protocolOf(c) === 'html' ? securityHeaders(c, next) : next()));
app.use((c, next) => (protocolOf(c) === 'html' ? requireSignedIn(c, next) : next()));
mount(app, [healthRoutes, usersApi, featuresApi, ...mlflowApi, packagesApi, projectsApi, ...ui]);

// Only a page can go unmatched: the APIs' unknown paths are declared routes that answer 404.
app.notFound((c) => errorPage(c, 404, 'Not Found'));

app.onError((err, c) => {
  if (err instanceof DomainError) return protocolError(c, err);
  if (err instanceof HTTPException) {
    if (err.status === 413) return protocolError(c, new TooLargeError('request body is too large'));
    if (err.status < 500) return protocolError(c, new InvalidInputError(err.message || 'bad request'));
  }
  logError(c, err);
  switch (protocolOf(c)) {
    case 'mlflow':
      return c.json({ error_code: 'INTERNAL_ERROR', message: 'internal error' }, 500);
    case 'gitlab':
      return c.json({ message: '500 Internal Server Error' }, 500);
    case 'html':
      return errorPage(c, 500, 'Something went wrong.');
  }
});

/**
 * The cron trigger (wrangler.toml, every 5 minutes): the metric-history upgrade's next chunk, and
 * the cleanup of stale multipart uploads and empty packages; each runs even if the other fails.
 */
async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const results = await Promise.allSettled([
    copyLegacyHistoryOnSchedule(controller, env),
    cleanUpPackages({ db: openDatabase(env.DB), bucket: env.ARTIFACTS }),
  ]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export { MetricHistory } from './tracking/metric-history';
export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Bindings>;
