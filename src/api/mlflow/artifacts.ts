/** MLflow REST: artifacts (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const artifactsApi = new Hono<AppEnv>();
