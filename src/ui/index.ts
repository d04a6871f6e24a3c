/**
 * The htmx UI: server-rendered pages under `/-/...` (session) and `/:namespace/:project/...`,
 * declared in src/http/routes.ts. Every HTML answer gets the security headers and anonymous
 * visitors are sent to sign in (src/index.ts).
 */
import { sessionRoutes } from './session';
import { projectRoutes } from './projects';
import { experimentRoutes } from './experiments';
import { candidateListRoutes } from './candidates';
import { candidateRoutes } from './candidate';
import { compareRoutes } from './compare';
import { sweepRoutes } from './sweep';
import { modelRoutes } from './models';
import { promoteRoutes, versionRoutes } from './model-version';
import { packageRoutes } from './packages';
import { experimentFormRoutes } from './experiment-forms';
import { candidateFormRoutes } from './candidate-forms';
import { liveRoutes } from './live';
import { loggedModelRoutes } from './logged-models';
import { versionCompareRoutes } from './version-compare';
import { mlflowLinkRoutes } from './mlflow-links';
import { traceListRoutes, traceRoutes } from './traces';

/** The UI's handlers. */
export const ui = [
  sessionRoutes,
  mlflowLinkRoutes,
  projectRoutes,
  experimentFormRoutes,
  experimentRoutes,
  candidateListRoutes,
  compareRoutes,
  sweepRoutes,
  traceListRoutes,
  traceRoutes,
  candidateFormRoutes,
  liveRoutes,
  candidateRoutes,
  promoteRoutes,
  loggedModelRoutes,
  versionCompareRoutes,
  versionRoutes,
  modelRoutes,
  packageRoutes,
];
