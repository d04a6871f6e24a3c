/** MLflow REST: runs (to be filled by its stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const runsApi = new Hono<AppEnv>();
