/** GitLab's users and personal access tokens API. */
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import { ForbiddenError } from '../../errors';
import { requireActor } from '../../http/middleware';
import { createToken, listTokens, revokeToken, tokenJson } from '../../access/tokens';
import { createUser, getUser, listUsers, userJson } from '../../access/users';
import { pageOf, params } from './input';

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const NewUserInput = z.object({
  username: z.string(),
  name: z.string(),
  email: z.string(),
  password: z.string().optional(),
  admin: bool.optional(),
});

const NewTokenInput = z.object({
  name: z.string(),
  scopes: z.union([z.array(z.string()), z.string().transform((s) => s.split(/[,\s]+/).filter(Boolean))]),
  expires_at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .optional()
    .nullable(),
});

const id = (raw: string | undefined) => (/^\d+$/.test(raw ?? '') ? Number(raw) : -1);

/** Routes under /api/v4 for users and tokens. */
export const usersApi = handlers()
  .on(routes.gitlab.currentUser, (c) => c.json(userJson(requireActor(c).user)))
  .on(routes.gitlab.users, async (c) => {
    const actor = requireActor(c);
    if (!actor.user.isAdmin) throw new ForbiddenError('403 Forbidden: admins only');
    return c.json((await listUsers(c.get('db'), pageOf(c))).map(userJson));
  })
  .on(routes.gitlab.createUser, async (c) => {
    const actor = requireActor(c);
    if (!actor.user.isAdmin) throw new ForbiddenError('403 Forbidden: admins only');
    const input = await params(c, NewUserInput);
    const user = await createUser(c.get('db'), { ...input, isAdmin: input.admin ?? false });
    return c.json(userJson(user), 201);
  })
  .on(routes.gitlab.user, async (c) => {
    requireActor(c);
    return c.json(userJson(await getUser(c.get('db'), id(c.req.param('id')))));
  })
  .on(routes.gitlab.createToken, async (c) => {
    const actor = requireActor(c);
    const userId = id(c.req.param('id'));
    if (!actor.user.isAdmin && actor.user.id !== userId) throw new ForbiddenError('403 Forbidden: only admins create tokens for others');
    await getUser(c.get('db'), userId);
    const input = await params(c, NewTokenInput);
    const expiresAt = input.expires_at ? Date.parse(`${input.expires_at}T00:00:00Z`) : null;
    const { token, secret } = await createToken(c.get('db'), { userId, name: input.name, scopes: input.scopes, expiresAt });
    return c.json({ ...tokenJson(token), token: secret }, 201);
  })
  .on(routes.gitlab.tokens, async (c) => {
    const actor = requireActor(c);
    const all = actor.user.isAdmin && c.req.query('all') === 'true';
    return c.json((await listTokens(c.get('db'), all ? undefined : actor.user.id)).map((t) => tokenJson(t)));
  })
  .on(routes.gitlab.revokeToken, async (c) => {
    const actor = requireActor(c);
    await revokeToken(c.get('db'), id(c.req.param('id')), actor.user.isAdmin ? undefined : actor.user.id);
    return c.body(null, 204);
  });
