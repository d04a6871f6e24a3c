/** GitLab's users and personal access tokens API. */
import { z } from 'zod';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
import { ForbiddenError } from '../../errors';
import { requireActor } from '../../http/middleware';
import type { Actor } from '../../access/actor';
import { createToken, listTokens, newTokenExpiry, revokeToken, tokenJson } from '../../access/tokens';
import { createUser, deleteUser, getUser, listUsers, setUserBlocked, userJson } from '../../access/users';
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

/** The actor, who must be an instance admin. */
function requireAdmin(c: Parameters<typeof requireActor>[0]): Actor {
  const actor = requireActor(c);
  if (!actor.user.isAdmin) throw new ForbiddenError('403 Forbidden: admins only');
  return actor;
}

/** The user of the path for an admin's block, unblock or delete: never the admin themselves. */
function otherUserId(c: Parameters<typeof requireActor>[0], actor: Actor): number {
  const userId = id(c.req.param('id'));
  if (userId === actor.user.id) throw new ForbiddenError('403 Forbidden: you may not do this to yourself');
  return userId;
}

/** Routes under /api/v4 for users and tokens. */
export const usersApi = handlers()
  .on(routes.gitlab.currentUser, (c) => c.json(userJson(requireActor(c).user)))
  .on(routes.gitlab.users, async (c) => {
    requireAdmin(c);
    return c.json((await listUsers(c.get('db'), pageOf(c))).map((u) => userJson(u)));
  })
  .on(routes.gitlab.createUser, async (c) => {
    requireAdmin(c);
    const input = await params(c, NewUserInput);
    const user = await createUser(c.get('db'), { ...input, isAdmin: input.admin ?? false });
    return c.json(userJson(user), 201);
  })
  .on(routes.gitlab.user, async (c) => {
    const actor = requireActor(c);
    const user = await getUser(c.get('db'), id(c.req.param('id')));
    return c.json(userJson(user, actor.user.isAdmin || actor.user.id === user.id));
  })
  .on(routes.gitlab.blockUser, async (c) => {
    const actor = requireAdmin(c);
    await setUserBlocked(c.get('db'), otherUserId(c, actor), true);
    return c.json(true, 201);
  })
  .on(routes.gitlab.unblockUser, async (c) => {
    const actor = requireAdmin(c);
    await setUserBlocked(c.get('db'), otherUserId(c, actor), false);
    return c.json(true, 201);
  })
  .on(routes.gitlab.deleteUser, async (c) => {
    const actor = requireAdmin(c);
    await deleteUser(c.get('db'), otherUserId(c, actor));
    return c.body(null, 204);
  })
  .on(routes.gitlab.createToken, async (c) => {
    const actor = requireActor(c);
    const userId = id(c.req.param('id'));
    if (!actor.user.isAdmin && actor.user.id !== userId) throw new ForbiddenError('403 Forbidden: only admins create tokens for others');
    await getUser(c.get('db'), userId);
    const input = await params(c, NewTokenInput);
    const expiresAt = newTokenExpiry(actor, input.expires_at ? Date.parse(`${input.expires_at}T00:00:00Z`) : undefined);
    const { token, secret } = await createToken(c.get('db'), { userId, name: input.name, scopes: input.scopes, expiresAt, parentId: actor.tokenId });
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
