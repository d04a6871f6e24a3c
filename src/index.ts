/**
 * flaretrack: builds the worker. Authentication runs first on every request; then the GitLab
 * API, the MLflow API and the UI, each a thin protocol over the domain. Errors are answered in
 * the shape of the protocol the path belongs to, in one place.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv, Bindings } from './env';
import { DomainError, InvalidInputError, TooLargeError } from './errors';
import { authenticate } from './access/middleware';
import { d1Session } from './http/d1-session';
import { healthRoutes } from './http/health';
import { logError, requestLog } from './http/request-log';
import { mlflowApi } from './api/mlflow';
import { artifactPartsApi, PART_ROUTE_PATH } from './api/mlflow/artifact-parts';
import { endpointNotFound, mlflowError } from './api/mlflow/errors';
import { featuresApi } from './api/v4/features';
import { gitlabError } from './api/v4/errors';
import { projectsApi } from './api/v4/projects';
import { packagesApi } from './api/v4/packages';
import { usersApi } from './api/v4/users';
import { ui } from './ui';
import { securityHeaders } from './ui/security';
import { mlflowLanding } from './ui/mlflow-links';
import { copyLegacyHistoryOnSchedule } from './tracking/history-upgrade';
import { domainErrorPage, errorPage } from './ui/errors';

const MLFLOW_PATH = /^\/api\/v4\/projects\/[^/]+\/ml\/mlflow(\/|$)/;

function protocolError(c: Context<AppEnv>, error: DomainError): Response | Promise<Response> {
  const path = c.req.path;
  if (MLFLOW_PATH.test(path)) return mlflowError(c, error);
  if (path.startsWith('/api/')) return gitlabError(c, error);
  return domainErrorPage(c, error);
}

const app = new Hono<AppEnv>();

// Every request: an id and a log line, a D1 session from the caller's bookmark, then who is calling.
app.use(requestLog, d1Session, authenticate);
app.route('/-', healthRoutes);
app.route('/api/v4', usersApi);
app.route('/api/v4/features', featuresApi);
// Multipart part URLs carry their own signed credential (no token): mounted ahead of the MLflow
// sub-app, which requires an actor.
app.route(PART_ROUTE_PATH, artifactPartsApi);
// The tracking URI's root is where the links the MLflow client prints lead (`<uri>/#/experiments/…`): a page, not the API.
app.get('/api/v4/projects/:id/ml/mlflow', securityHeaders, mlflowLanding);
app.get('/api/v4/projects/:id/ml/mlflow/', securityHeaders, mlflowLanding);
app.route('/api/v4/projects/:id/ml/mlflow', mlflowApi);
app.route('/api/v4/projects/:id/packages', packagesApi);
app.route('/api/v4/projects', projectsApi);
app.route('/', ui);

app.notFound((c) => {
  if (MLFLOW_PATH.test(c.req.path)) return endpointNotFound(c);
  if (c.req.path.startsWith('/api/')) return c.json({ message: '404 Not Found' }, 404);
  return errorPage(c, 404, 'Not Found');
});

app.onError((err, c) => {
  if (err instanceof DomainError) return protocolError(c, err);
  if (err instanceof HTTPException) {
    if (err.status === 413) return protocolError(c, new TooLargeError('request body is too large'));
    if (err.status < 500) return protocolError(c, new InvalidInputError(err.message || 'bad request'));
  }
  logError(c, err);
  if (c.req.path.startsWith('/api/')) {
    return MLFLOW_PATH.test(c.req.path)
      ? c.json({ error_code: 'INTERNAL_ERROR', message: 'internal error' }, 500)
      : c.json({ message: '500 Internal Server Error' }, 500);
  }
  return errorPage(c, 500, 'Something went wrong.');
});

export { MetricHistory } from './tracking/metric-history';
export default { fetch: app.fetch, scheduled: copyLegacyHistoryOnSchedule } satisfies ExportedHandler<Bindings>;
