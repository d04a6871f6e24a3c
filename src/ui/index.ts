/**
 * The htmx UI: server-rendered pages under `/-/...` (session) and `/:namespace/:project/...`.
 * Every HTML answer gets the security headers; anonymous visitors are sent to sign in.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { securityHeaders } from './security';
import { requireSignedIn, sessionRoutes } from './session';
import { projectRoutes } from './projects';

export const ui = new Hono<AppEnv>();

ui.use('*', securityHeaders, requireSignedIn);
ui.route('/-', sessionRoutes);
ui.route('/', projectRoutes);
