/** GitLab's Features API for the flags in KV (admins only). */
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import { loadProjectAccess } from '../../access/projects';
import { deleteFlag, flagJson, KNOWN_FLAGS, parseFlagValue, readFlag, setFlag } from '../../flags/flags';
import { params } from './input';

const SetInput = z.object({ value: z.unknown(), project: z.union([z.string(), z.number()]).optional() });

/** Routes under /api/v4/features. */
export const featuresApi = handlers()
  .on(routes.gitlab.features, async (c) => c.json(await Promise.all(KNOWN_FLAGS.map(async (name) => flagJson(name, await readFlag(c.env.FLAGS, name))))))
  .on(routes.gitlab.setFeature, async (c) => {
    const input = await params(c, SetInput);
    const value = parseFlagValue(input.value);
    const project = input.project === undefined ? undefined : (await loadProjectAccess(c.get('db'), String(input.project), c.get('actor'))).project.id;
    const name = c.req.param('name');
    return c.json(flagJson(name, await setFlag(c.env.FLAGS, name, value, project)), 201);
  })
  .on(routes.gitlab.deleteFeature, async (c) => {
    await deleteFlag(c.env.FLAGS, c.req.param('name'));
    return c.body(null, 204);
  });
