/**
 * The htmx UI: server-rendered pages under `/-/...` (session) and `/:namespace/:project/...`.
 * Every HTML answer gets the security headers; anonymous visitors are sent to sign in.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { securityHeaders } from './security';
import { requireSignedIn, sessionRoutes } from './session';
import { projectRoutes } from './projects';
import { requireMlFlag } from '../access/middleware';
import { loadUiProject } from './project-context';
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

export const ui = new Hono<AppEnv>();

ui.use('*', securityHeaders, requireSignedIn);
ui.route('/-', sessionRoutes);
ui.route('/-/ml/open', mlflowLinkRoutes);
ui.route('/', projectRoutes);

// Project pages: the project is loaded (read_ml, else 404) before any of them; ML pages need the flag.
ui.use('/:namespace/:project/-/*', loadUiProject);
ui.use('/:namespace/:project/-/ml/*', requireMlFlag);
ui.route('/:namespace/:project/-/ml/experiments', experimentFormRoutes);
ui.route('/:namespace/:project/-/ml/experiments', experimentRoutes);
ui.route('/:namespace/:project/-/ml/experiments', candidateListRoutes);
ui.route('/:namespace/:project/-/ml/experiments', compareRoutes);
ui.route('/:namespace/:project/-/ml/experiments', sweepRoutes);
ui.route('/:namespace/:project/-/ml/experiments', traceListRoutes);
ui.route('/:namespace/:project/-/ml/traces', traceRoutes);
ui.route('/:namespace/:project/-/ml/candidates', candidateFormRoutes);
ui.route('/:namespace/:project/-/ml/candidates', liveRoutes);
ui.route('/:namespace/:project/-/ml/candidates', candidateRoutes);
ui.route('/:namespace/:project/-/ml/candidates', promoteRoutes);
ui.route('/:namespace/:project/-/ml/logged-models', loggedModelRoutes);
ui.route('/:namespace/:project/-/ml/models', versionCompareRoutes);
ui.route('/:namespace/:project/-/ml/models', versionRoutes);
ui.route('/:namespace/:project/-/ml/models', modelRoutes);
ui.route('/:namespace/:project/-/packages', packageRoutes);
