import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { projectMembers, projects, sessions, signInFailures, users } from '../db/schema';
import type { Actor } from './actor';
import { randomHex, sha256Hex } from './crypto';
import { memberJoin, projectJoin, type Authenticated } from './preload';

/** How long a browser session lasts. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/** Starts a session for a user; returns the cookie secret (only its hash is stored). */
export async function createSession(db: Database, userId: number, now = Date.now()): Promise<string> {
  const secret = randomHex(32);
  await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db.insert(sessions).values({ idHash: await sha256Hex(secret), userId, csrfToken: randomHex(32), expiresAt: now + SESSION_TTL_MS }),
  ]);
  return secret;
}

/**
 * The actor behind a session cookie, or null when unknown, expired, or the user is blocked.
 * With `projectRef`, the project and membership come back from the same query.
 */
export async function authenticateSession(db: Database, secret: string, projectRef?: string, now = Date.now()): Promise<Authenticated | null> {
  const rows = await db
    .select({ session: sessions, user: users, project: projects, level: projectMembers.accessLevel })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(projects, projectJoin(projectRef))
    .leftJoin(projectMembers, memberJoin)
    .where(and(eq(sessions.idHash, await sha256Hex(secret)), gt(sessions.expiresAt, now)))
    .limit(1);
  const row = rows[0];
  if (!row || row.user.isBlocked) return null;
  const actor: Actor = { user: row.user, scopes: ['api'], via: 'session', csrfToken: row.session.csrfToken };
  return { actor, preloaded: projectRef === undefined ? undefined : { ref: projectRef, project: row.project, level: row.level } };
}

/** Ends a session. */
export async function deleteSession(db: Database, secret: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, await sha256Hex(secret)));
}

// Sign-in throttling: after a few failures, each further attempt must wait, doubling up to a cap.
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 60_000;

/** Milliseconds a sign-in for `login` must still wait (0 when it may try now). */
export async function signInDelay(db: Database, login: string, now = Date.now()): Promise<number> {
  const row = await db.select().from(signInFailures).where(eq(signInFailures.login, login.toLowerCase())).get();
  if (!row || row.failures < FREE_FAILURES) return 0;
  const wait = Math.min(MAX_DELAY_MS, 1000 * 2 ** (row.failures - FREE_FAILURES));
  return Math.max(0, row.lastFailureAt + wait - now);
}

/** Records a failed sign-in for `login`. */
export async function recordSignInFailure(db: Database, login: string, now = Date.now()): Promise<void> {
  const key = login.toLowerCase();
  await db
    .insert(signInFailures)
    .values({ login: key, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({ target: signInFailures.login, set: { failures: sql`${signInFailures.failures} + 1`, lastFailureAt: now } });
}

/** Forgets the failures of `login` after a successful sign-in. */
export async function clearSignInFailures(db: Database, login: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.login, login.toLowerCase()));
}
