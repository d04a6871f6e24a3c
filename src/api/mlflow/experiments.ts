/** MLflow REST: experiments (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const experimentsApi = new Hono<AppEnv>();
