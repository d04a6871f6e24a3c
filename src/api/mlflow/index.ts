/**
 * The MLflow REST protocol under /api/v4/projects/:id/ml/mlflow. Every route needs a caller
 * who may read the project's ML data and the flag on for the project; anything it does not
 * serve answers ENDPOINT_NOT_FOUND so the client fails cleanly or falls back.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { loadProject, requireActor, requireMlFlag } from '../../access/middleware';
import { endpointNotFound } from './errors';
import { artifactsApi } from './artifacts';
import { experimentsApi } from './experiments';
import { loggedModelsApi } from './logged-models';
import { metricsApi } from './metrics';
import { modelVersionsApi } from './model-versions';
import { registeredModelsApi } from './registered-models';
import { runsApi } from './runs';
import { traceArtifactsApi, tracesV2Api, tracesV3Api } from './traces';

/** The MLflow sub-app, mounted at /api/v4/projects/:id/ml/mlflow. */
export const mlflowApi = new Hono<AppEnv>()
  .use(async (c, next) => {
    requireActor(c);
    await next();
  })
  .use(loadProject('id', 'read_ml'))
  .use(requireMlFlag)
  .route('/api/2.0/mlflow/experiments', experimentsApi)
  .route('/api/2.0/mlflow/runs', runsApi)
  .route('/api/2.0/mlflow/metrics', metricsApi)
  .route('/api/2.0/mlflow/logged-models', loggedModelsApi)
  .route('/api/2.0/mlflow/registered-models', registeredModelsApi)
  .route('/api/2.0/mlflow/model-versions', modelVersionsApi)
  .route('/api/3.0/mlflow/traces', tracesV3Api)
  .route('/api/2.0/mlflow/traces', tracesV2Api)
  // Ahead of the packages' artifacts: `ml_traces` is no package (`ml_` names are reserved).
  .route('/api/2.0/mlflow-artifacts/artifacts/ml_traces', traceArtifactsApi)
  .route('/api/2.0/mlflow-artifacts', artifactsApi)
  .notFound(endpointNotFound);
