/** MLflow REST: metrics (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const metricsApi = new Hono<AppEnv>();
