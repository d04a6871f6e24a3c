/** MLflow REST: logged-models (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const loggedModelsApi = new Hono<AppEnv>();
