/** GitLab's generic package API (to be filled by the artifacts stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../../env';

export const packagesApi = new Hono<AppEnv>();
