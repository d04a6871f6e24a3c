import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { personalAccessTokens, projectMembers, projects, sessions, users } from '../db/schema';
import { InvalidInputError, NotFoundError } from '../errors';
import type { Actor, Scope } from './actor';
import { randomAlphanumeric, sha256Hex } from './crypto';
import { memberJoin, projectJoin, type Authenticated } from './preload';

/** Every token starts with this, so that leaked ones are easy to recognise and scan for. */
export const TOKEN_PREFIX = 'ftpat-';

/** A token row (the secret itself is never stored). */
export type PersonalAccessToken = typeof personalAccessTokens.$inferSelect;

const SCOPES: readonly Scope[] = ['api', 'read_api'];
// Touch last_used_at at most once a minute per token, so reads stay reads.
const LAST_USED_GRANULARITY_MS = 60_000;

/** What it takes to create a token. `secret` is for bootstrapping a known token. */
export type NewToken = {
  userId: number;
  name: string;
  scopes: string[];
  /** When it stops working; null only for the bootstrap token (see `newTokenExpiry`). */
  expiresAt: number | null;
  /** The token that creates it (revoking that one revokes this one). */
  parentId?: number | null;
  secret?: string;
};

/** GitLab's default maximum lifetime of a personal access token. */
export const MAX_TOKEN_LIFETIME_DAYS = 365;
const DAY_MS = 24 * 3600_000;

/**
 * When a token `creator` asks for expires: `requested`, or in 365 days when none is given. Only
 * admins may ask for more than 365 days. Never later than the creator's own credential.
 */
export function newTokenExpiry(creator: Actor, requested: number | undefined, now = Date.now()): number {
  const max = now + MAX_TOKEN_LIFETIME_DAYS * DAY_MS;
  if (requested !== undefined && !Number.isFinite(requested)) throw new InvalidInputError('expires_at is not a valid date', 'expires_at');
  if (requested !== undefined && requested > max && !creator.user.isAdmin) {
    throw new InvalidInputError(`expires_at must be at most ${MAX_TOKEN_LIFETIME_DAYS} days ahead (${new Date(max).toISOString().slice(0, 10)})`, 'expires_at');
  }
  const wanted = requested ?? max;
  return creator.expiresAt == null ? wanted : Math.min(wanted, creator.expiresAt);
}

/** Creates a token; returns the row and the secret, which is shown only this once. */
export async function createToken(db: Database, input: NewToken): Promise<{ token: PersonalAccessToken; secret: string }> {
  if (!input.name || input.name.length > 255) throw new InvalidInputError('name must be 1 to 255 characters', 'name');
  if (input.scopes.length === 0) throw new InvalidInputError('scopes must name at least one of api, read_api', 'scopes');
  for (const s of input.scopes) {
    if (!SCOPES.includes(s as Scope)) throw new InvalidInputError(`scope '${s}' is not one of api, read_api`, 'scopes');
  }
  if (input.expiresAt != null && input.expiresAt <= Date.now()) throw new InvalidInputError('expires_at must be in the future', 'expires_at');
  const secret = input.secret ?? TOKEN_PREFIX + randomAlphanumeric(32);
  const [token] = await db
    .insert(personalAccessTokens)
    .values({
      userId: input.userId,
      name: input.name,
      tokenHash: await sha256Hex(secret),
      scopes: [...new Set(input.scopes)].join(' '),
      expiresAt: input.expiresAt,
      parentId: input.parentId ?? null,
    })
    .returning();
  return { token, secret };
}

/**
 * The actor a token secret stands for, or null when it is unknown, revoked, expired, or its
 * user is blocked. With `projectRef`, the project it names and the user's membership come back
 * from the same query (see `Preloaded`). `last_used_at` is touched at most once a minute.
 */
export async function authenticateToken(db: Database, secret: string, projectRef?: string, now = Date.now()): Promise<Authenticated | null> {
  const hash = await sha256Hex(secret);
  const rows = await db
    .select({ token: personalAccessTokens, user: users, project: projects, level: projectMembers.accessLevel })
    .from(personalAccessTokens)
    .innerJoin(users, eq(users.id, personalAccessTokens.userId))
    .leftJoin(projects, projectJoin(projectRef))
    .leftJoin(projectMembers, memberJoin)
    .where(eq(personalAccessTokens.tokenHash, hash))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const { token, user } = row;
  if (token.revoked || user.isBlocked) return null;
  if (token.expiresAt != null && token.expiresAt <= now) return null;
  if (token.lastUsedAt == null || now - token.lastUsedAt > LAST_USED_GRANULARITY_MS) {
    await db.update(personalAccessTokens).set({ lastUsedAt: now }).where(eq(personalAccessTokens.id, token.id));
  }
  const actor: Actor = { user, scopes: token.scopes.split(' ') as Scope[], via: 'token', tokenId: token.id, expiresAt: token.expiresAt };
  return { actor, preloaded: projectRef === undefined ? undefined : { ref: projectRef, project: row.project, level: row.level } };
}

/** The tokens of a user, or of everyone when `userId` is undefined (admins). */
export async function listTokens(db: Database, userId?: number): Promise<PersonalAccessToken[]> {
  const q = db.select().from(personalAccessTokens);
  return (userId === undefined ? q : q.where(eq(personalAccessTokens.userId, userId))).orderBy(personalAccessTokens.id);
}

/**
 * Revokes a token and every token created through it (by it or by a session started with it,
 * at any depth), and ends the sessions started with any of them. `ownerId` limits it to that
 * user's tokens (non-admins).
 */
export async function revokeToken(db: Database, id: number, ownerId?: number): Promise<void> {
  const where = ownerId === undefined ? eq(personalAccessTokens.id, id) : and(eq(personalAccessTokens.id, id), eq(personalAccessTokens.userId, ownerId));
  const found = await db.select({ id: personalAccessTokens.id }).from(personalAccessTokens).where(where).get();
  if (!found) throw new NotFoundError('Personal access token Not Found');
  const lineage = sql`(WITH RECURSIVE lineage(id) AS (
      SELECT ${id} UNION SELECT t.id FROM personal_access_tokens t JOIN lineage ON t.parent_id = lineage.id
    ) SELECT id FROM lineage)`;
  await db.batch([
    db.update(personalAccessTokens).set({ revoked: true }).where(sql`${personalAccessTokens.id} IN ${lineage}`),
    db.delete(sessions).where(sql`${sessions.tokenId} IN ${lineage}`),
  ]);
}

/** Whether any user exists yet (bootstrap runs only on an empty instance). */
export async function hasUsers(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(users).limit(1);
  return row.n > 0;
}

/** The public shape of a token (never its secret). */
export function tokenJson(t: PersonalAccessToken, now = Date.now()) {
  return {
    id: t.id,
    name: t.name,
    user_id: t.userId,
    scopes: t.scopes.split(' '),
    revoked: t.revoked,
    active: !t.revoked && (t.expiresAt == null || t.expiresAt > now),
    created_at: new Date(t.createdAt).toISOString(),
    expires_at: t.expiresAt == null ? null : new Date(t.expiresAt).toISOString().slice(0, 10),
    last_used_at: t.lastUsedAt == null ? null : new Date(t.lastUsedAt).toISOString(),
  };
}
