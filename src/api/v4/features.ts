/** GitLab's Features API for the flags in KV (admins only). */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { ForbiddenError } from '../../errors';
import { requireActor } from '../../access/middleware';
import { loadProjectAccess } from '../../access/projects';
import { deleteFlag, flagJson, KNOWN_FLAGS, parseFlagValue, readFlag, setFlag } from '../../flags/flags';
import { params } from './input';

const SetInput = z.object({ value: z.unknown(), project: z.union([z.string(), z.number()]).optional() });

/** Routes under /api/v4/features. */
export const featuresApi = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (!requireActor(c).user.isAdmin) throw new ForbiddenError('403 Forbidden: admins only');
    await next();
  })
  .get('/', async (c) => c.json(await Promise.all(KNOWN_FLAGS.map(async (name) => flagJson(name, await readFlag(c.env.FLAGS, name))))))
  .post('/:name', async (c) => {
    const input = await params(c, SetInput);
    const value = parseFlagValue(input.value);
    const project = input.project === undefined ? undefined : (await loadProjectAccess(c.get('db'), String(input.project), c.get('actor'))).project.id;
    const name = c.req.param('name');
    return c.json(flagJson(name, await setFlag(c.env.FLAGS, name, value, project)), 201);
  })
  .delete('/:name', async (c) => {
    await deleteFlag(c.env.FLAGS, c.req.param('name'));
    return c.body(null, 204);
  });
