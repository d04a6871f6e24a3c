/** The htmx UI (to be filled by the UI stream). */
import { Hono } from 'hono';
import type { AppEnv } from '../env';

export const ui = new Hono<AppEnv>();
