/**
 * The MLflow REST protocol under /api/v4/projects/:id/ml/mlflow, one file per resource. What
 * each route needs (a signed-in caller who may read the project's ML data, the flag, write
 * access) is in its declaration (src/http/routes.ts); anything else under the prefix answers
 * ENDPOINT_NOT_FOUND so the client fails cleanly or falls back.
 */
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { artifactPartsApi } from './artifact-parts';
import { endpointNotFound } from './errors';
import { artifactsApi } from './artifacts';
import { experimentsApi } from './experiments';
import { loggedModelsApi } from './logged-models';
import { metricsApi } from './metrics';
import { modelVersionsApi } from './model-versions';
import { registeredModelsApi } from './registered-models';
import { runsApi } from './runs';
import { traceArtifactsApi, tracesV2Api, tracesV3Api } from './traces';

/** The MLflow handlers. */
export const mlflowApi = [
  experimentsApi,
  runsApi,
  metricsApi,
  loggedModelsApi,
  registeredModelsApi,
  modelVersionsApi,
  tracesV3Api,
  tracesV2Api,
  traceArtifactsApi,
  artifactPartsApi,
  artifactsApi,
  handlers().on(routes.mlflow.unknown, endpointNotFound),
];
