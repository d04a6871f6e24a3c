/** MLflow REST: model-versions (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const modelVersionsApi = new Hono<AppEnv>();
