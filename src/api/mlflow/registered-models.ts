/** MLflow REST: registered-models (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const registeredModelsApi = new Hono<AppEnv>();
