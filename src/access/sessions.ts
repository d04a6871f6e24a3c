import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { personalAccessTokens, projectMembers, projects, sessions, users } from '../db/schema';
import { NotFoundError } from '../errors';
import type { Actor } from './actor';
import { randomHex, sha256Hex } from './crypto';
import { memberJoin, projectJoin, type Authenticated } from './preload';

/** How long a browser session lasts (at most: one started with a token ends when the token does). */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/** Who signs in, with what, from where. */
export type NewSession = {
  userId: number;
  /** The token signed in with, and when it expires: the session never outlives it. */
  token?: { id: number; expiresAt: number | null };
  ipAddress?: string | null;
  userAgent?: string | null;
};

/** Starts a session; returns the cookie secret (only its hash is stored). */
export async function createSession(db: Database, input: NewSession, now = Date.now()): Promise<string> {
  const secret = randomHex(32);
  const expiresAt = Math.min(now + SESSION_TTL_MS, input.token?.expiresAt ?? Infinity);
  await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db.insert(sessions).values({
      idHash: await sha256Hex(secret),
      userId: input.userId,
      csrfToken: randomHex(32),
      expiresAt,
      tokenId: input.token?.id ?? null,
      ipAddress: input.ipAddress?.slice(0, 64) ?? null,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
    }),
  ]);
  return secret;
}

/**
 * The actor behind a session cookie, or null when unknown, expired, the user is blocked, or
 * the token it was started with is revoked or expired. With `projectRef`, the project and
 * membership come back from the same query.
 */
export async function authenticateSession(db: Database, secret: string, projectRef?: string, now = Date.now()): Promise<Authenticated | null> {
  const rows = await db
    .select({ session: sessions, user: users, project: projects, level: projectMembers.accessLevel })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(personalAccessTokens, eq(personalAccessTokens.id, sessions.tokenId))
    .leftJoin(projects, projectJoin(projectRef))
    .leftJoin(projectMembers, memberJoin)
    .where(
      and(
        eq(sessions.idHash, await sha256Hex(secret)),
        gt(sessions.expiresAt, now),
        or(
          isNull(sessions.tokenId),
          and(eq(personalAccessTokens.revoked, false), or(isNull(personalAccessTokens.expiresAt), gt(personalAccessTokens.expiresAt, now))),
        ),
      ),
    )
    .limit(1);
  const row = rows[0];
  if (!row || row.user.isBlocked) return null;
  const { session } = row;
  const actor: Actor = { user: row.user, scopes: ['api'], via: 'session', csrfToken: session.csrfToken, tokenId: session.tokenId, expiresAt: session.tokenId == null ? null : session.expiresAt };
  return { actor, preloaded: projectRef === undefined ? undefined : { ref: projectRef, project: row.project, level: row.level } };
}

/** Ends a session. */
export async function deleteSession(db: Database, secret: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, await sha256Hex(secret)));
}

/** A session as its user sees it in their list. */
export type SessionInfo = { id: string; createdAt: number; expiresAt: number; ipAddress: string | null; userAgent: string | null; viaToken: boolean; current: boolean };

/** The user's live sessions, newest first; `current` marks the one holding `currentSecret`. */
export async function listSessions(db: Database, userId: number, currentSecret?: string, now = Date.now()): Promise<SessionInfo[]> {
  const current = currentSecret ? await sha256Hex(currentSecret) : undefined;
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.createdAt));
  return rows.map((s) => ({
    id: s.idHash,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    ipAddress: s.ipAddress,
    userAgent: s.userAgent,
    viaToken: s.tokenId != null,
    current: s.idHash === current,
  }));
}

/** Ends one of the user's sessions, by the id `listSessions` gave (NotFoundError when not theirs). */
export async function endSession(db: Database, userId: number, id: string): Promise<void> {
  const done = await db.delete(sessions).where(and(eq(sessions.idHash, id), eq(sessions.userId, userId))).returning({ id: sessions.idHash });
  if (done.length === 0) throw new NotFoundError('Session Not Found');
}

/** Ends every session of a user (when they are blocked). */
export async function endAllSessions(db: Database, userId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}
