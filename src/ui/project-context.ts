/**
 * Loads the project named by `/:namespace/:project` for a UI page: a project the visitor may
 * not read ML data of answers 404 as if it did not exist (the UI shows no "forbidden").
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { NotFoundError } from '../errors';
import { can } from '../access/policy';
import { projectAccess } from '../access/middleware';

/** Sets `access` from the `namespace` and `project` route parameters; needs `read_ml`. */
export const loadUiProject: MiddlewareHandler<AppEnv> = async (c, next) => {
  const path = `${c.req.param('namespace') ?? ''}/${c.req.param('project') ?? ''}`;
  const access = await projectAccess(c, path);
  if (!can(access, 'read_ml')) throw new NotFoundError('404 Project Not Found');
  c.set('access', access);
  await next();
};

