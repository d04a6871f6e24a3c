import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { projectMembers, projects, sessions, users } from '../db/schema';
import { AlreadyExistsError, ConflictError, InvalidInputError, NotFoundError } from '../errors';
import { AccessLevel } from './policy';
import type { User } from './actor';
import { hashPassword } from './crypto';

/** What it takes to create a user. */
export type NewUser = {
  username: string;
  name: string;
  email: string;
  password?: string;
  isAdmin?: boolean;
};

const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const EMAIL = /^[^\s@]{1,200}@[^\s@]{1,200}$/;

/** Creates a user after checking the username, email and password rules. */
export async function createUser(db: Database, input: NewUser): Promise<User> {
  if (!USERNAME.test(input.username)) throw new InvalidInputError('username may hold letters, digits, "_", "-" and "." (at most 255)', 'username');
  if (!EMAIL.test(input.email)) throw new InvalidInputError('email is not a valid address', 'email');
  if (input.name.length < 1 || input.name.length > 255) throw new InvalidInputError('name must be 1 to 255 characters', 'name');
  if (input.password !== undefined && (input.password.length < 8 || input.password.length > 128)) {
    throw new InvalidInputError('password must be 8 to 128 characters', 'password');
  }
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ username: input.username, name: input.name, email: input.email, passwordHash, isAdmin: input.isAdmin ?? false })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new AlreadyExistsError('username or email has already been taken');
  return row;
}

/** A user by id, or NotFoundError. */
export async function getUser(db: Database, id: number): Promise<User> {
  const row = await db.select().from(users).where(eq(users.id, id)).get();
  if (!row) throw new NotFoundError('User Not Found');
  return row;
}

/** A user by username (case-insensitive), or undefined. */
export async function findUserByUsername(db: Database, username: string): Promise<User | undefined> {
  return db.select().from(users).where(sql`lower(${users.username}) = lower(${username})`).get();
}

/** All users, oldest first, a page at a time. */
export async function listUsers(db: Database, page: { limit: number; offset: number }): Promise<User[]> {
  return db.select().from(users).orderBy(users.id).limit(page.limit).offset(page.offset);
}

/**
 * Blocks or unblocks a user. Blocking stops all their tokens at once and ends their sessions
 * for good (unblocking brings the tokens back, not the sessions).
 */
export async function setUserBlocked(db: Database, id: number, blocked: boolean): Promise<User> {
  const [[row]] = await db.batch([
    db.update(users).set({ isBlocked: blocked }).where(eq(users.id, id)).returning(),
    ...(blocked ? [db.delete(sessions).where(eq(sessions.userId, id))] : []),
  ]);
  if (!row) throw new NotFoundError('User Not Found');
  return row;
}

/**
 * Deletes a user: their tokens, sessions and memberships go with them; what they logged stays,
 * without its author. Refused (ConflictError) while they are the only owner of a project.
 */
export async function deleteUser(db: Database, id: number): Promise<void> {
  await getUser(db, id);
  const sole = await db
    .select({ namespace: projects.namespace, path: projects.path })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(
      and(
        eq(projectMembers.userId, id),
        eq(projectMembers.accessLevel, AccessLevel.owner),
        sql`NOT EXISTS (SELECT 1 FROM ${projectMembers} o WHERE o.project_id = ${projectMembers.projectId} AND o.user_id <> ${id} AND o.access_level >= ${AccessLevel.owner})`,
      ),
    )
    .limit(5);
  if (sole.length > 0) {
    const names = sole.map((p) => `${p.namespace}/${p.path}`).join(', ');
    throw new ConflictError(`the user is the only owner of ${names}: give each project another owner or delete it first`);
  }
  await db.delete(users).where(eq(users.id, id));
}

/** The shape of a user; `full` (admins and the user themselves) adds the email and admin flag. */
export function userJson(user: User, full = true) {
  const base = {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.isBlocked ? 'blocked' : 'active',
    created_at: new Date(user.createdAt).toISOString(),
  };
  return full ? { ...base, email: user.email, is_admin: user.isAdmin } : base;
}
