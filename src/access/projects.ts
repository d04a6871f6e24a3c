import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { modelVersions, projectMembers, projects, registeredModels, users } from '../db/schema';
import { AlreadyExistsError, ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors';
import type { Actor } from './actor';
import { AccessLevel, MEMBER_LEVELS, type Project, type ProjectAccess } from './policy';

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
// Words the UI's own routes use at the top level.
const RESERVED_NAMESPACES = new Set(['api', 'assets', '-', 'users', 'static']);

/** What it takes to create a project. */
export type NewProject = { namespace: string; path: string; name?: string; description?: string };

function checkSlug(value: string, field: string) {
  if (!SLUG.test(value) || value.endsWith('.git')) {
    throw new InvalidInputError(`${field} may hold letters, digits, "_", "-" and "." and must start with a letter or digit (at most 100)`, field);
  }
}

/** Whether `actor` may create a project in `namespace`: their own (their username), or any for admins. */
export function checkNamespaceFor(actor: Actor, namespace: string): void {
  if (!actor.user.isAdmin && namespace.toLowerCase() !== actor.user.username.toLowerCase()) {
    throw new ForbiddenError(`403 Forbidden: you may create projects only in your own namespace '${actor.user.username}'`);
  }
}

/** Creates a project; its creator becomes its owner. */
export async function createProject(db: Database, creatorId: number, input: NewProject): Promise<Project> {
  checkSlug(input.namespace, 'namespace');
  checkSlug(input.path, 'path');
  if (RESERVED_NAMESPACES.has(input.namespace.toLowerCase())) throw new InvalidInputError(`namespace '${input.namespace}' is reserved`, 'namespace');
  const name = input.name ?? input.path;
  if (name.length < 1 || name.length > 255) throw new InvalidInputError('name must be 1 to 255 characters', 'name');
  if ((input.description ?? '').length > 2000) throw new InvalidInputError('description must be at most 2000 characters', 'description');
  const [project] = await db
    .insert(projects)
    .values({ namespace: input.namespace, path: input.path, name, description: input.description ?? '' })
    .onConflictDoNothing()
    .returning();
  if (!project) throw new AlreadyExistsError('a project with this path already exists');
  await db.insert(projectMembers).values({ projectId: project.id, userId: creatorId, accessLevel: AccessLevel.owner });
  return project;
}

/** The SQL condition selecting the project a reference names: a numeric id or `namespace/path`. */
export function projectRefCondition(ref: string): SQL | undefined {
  if (/^\d+$/.test(ref)) return eq(projects.id, Number(ref));
  const slash = ref.indexOf('/');
  if (slash < 0) return undefined;
  return and(
    sql`lower(${projects.namespace}) = lower(${ref.slice(0, slash)})`,
    sql`lower(${projects.path}) = lower(${ref.slice(slash + 1)})`,
  );
}

/**
 * The actor's standing in a project row found by reference (with their membership level, or
 * null). Throws NotFoundError both when there is no project and when the actor may not see it.
 */
export function toProjectAccess(project: Project | null, memberLevel: number | null, actor: Actor | null): ProjectAccess {
  const level = memberLevel ?? AccessLevel.none;
  if (!project || !actor || (!actor.user.isAdmin && level < AccessLevel.guest)) throw new NotFoundError('404 Project Not Found');
  return { project, level: actor.user.isAdmin ? Math.max(level, AccessLevel.owner) : level, actor };
}

/**
 * The project addressed by a numeric id or a `namespace/path`, with the actor's access level.
 * Throws NotFoundError both when it does not exist and when the actor may not see it.
 */
export async function loadProjectAccess(db: Database, ref: string, actor: Actor | null): Promise<ProjectAccess> {
  const where = projectRefCondition(ref);
  if (!where || !actor) throw new NotFoundError('404 Project Not Found');
  const rows = await db
    .select({ project: projects, level: projectMembers.accessLevel })
    .from(projects)
    .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, actor.user.id)))
    .where(where)
    .limit(1);
  return toProjectAccess(rows[0]?.project ?? null, rows[0]?.level ?? null, actor);
}

/** The projects an actor is a member of (all of them for admins), newest first. */
export async function listProjects(db: Database, actor: Actor, page: { limit: number; offset: number }): Promise<Project[]> {
  if (actor.user.isAdmin) return db.select().from(projects).orderBy(sql`${projects.id} DESC`).limit(page.limit).offset(page.offset);
  return db
    .select({ project: projects })
    .from(projects)
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, actor.user.id)))
    .orderBy(sql`${projects.id} DESC`)
    .limit(page.limit)
    .offset(page.offset)
    .then((rows) => rows.map((r) => r.project));
}

/** Changes a project's name or description. */
export async function updateProject(db: Database, id: number, patch: { name?: string; description?: string }): Promise<Project> {
  if (patch.name !== undefined && (patch.name.length < 1 || patch.name.length > 255)) throw new InvalidInputError('name must be 1 to 255 characters', 'name');
  if (patch.description !== undefined && patch.description.length > 2000) throw new InvalidInputError('description must be at most 2000 characters', 'description');
  const [row] = await db.update(projects).set(patch).where(eq(projects.id, id)).returning();
  if (!row) throw new NotFoundError('404 Project Not Found');
  return row;
}

/**
 * Deletes a project's rows (model versions first, since they pin their candidates; the rest
 * cascades). Its stored bytes and history objects are the use case's (src/usecases/delete-project.ts).
 */
export async function deleteProjectRows(db: Database, id: number): Promise<void> {
  const models = db.select({ id: registeredModels.id }).from(registeredModels).where(eq(registeredModels.projectId, id));
  await db.batch([db.delete(modelVersions).where(inArray(modelVersions.registeredModelId, models)), db.delete(projects).where(eq(projects.id, id))]);
}

/** A member row with its user. */
export type Member = { userId: number; username: string; name: string; accessLevel: number };

/** The members of a project. */
export async function listMembers(db: Database, projectId: number): Promise<Member[]> {
  return db
    .select({ userId: users.id, username: users.username, name: users.name, accessLevel: projectMembers.accessLevel })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(users.id);
}

function checkLevel(level: number) {
  if (!(MEMBER_LEVELS as readonly number[]).includes(level)) {
    throw new InvalidInputError('access_level must be one of 10, 20, 30, 40, 50', 'access_level');
  }
}

/**
 * GitLab's rule for managing owners: only an owner (or an admin, who counts as one) may make
 * someone an owner, or change or remove an owner. `managerLevel` is the level of who asks.
 */
function checkOwnerRule(managerLevel: number, touchesOwner: boolean) {
  if (touchesOwner && managerLevel < AccessLevel.owner) throw new ForbiddenError('403 Forbidden: only owners may grant, change or remove the Owner role');
}

const LAST_OWNER = 'a project must keep at least one owner: make someone else owner first';

// True when the project has an owner besides `userId` (evaluated inside the writing statement).
const otherOwner = (projectId: number, userId: number) =>
  sql`EXISTS (SELECT 1 FROM ${projectMembers} o WHERE o.project_id = ${projectId} AND o.user_id <> ${userId} AND o.access_level >= ${AccessLevel.owner})`;

async function currentLevel(db: Database, projectId: number, userId: number): Promise<number> {
  const row = await db
    .select({ level: projectMembers.accessLevel })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .get();
  if (!row) throw new NotFoundError('404 Member Not Found');
  return row.level;
}

/** Adds a member at `level`, asked by someone at `managerLevel`; AlreadyExistsError if they already are one. */
export async function addMember(db: Database, projectId: number, userId: number, level: number, managerLevel: number): Promise<void> {
  checkLevel(level);
  checkOwnerRule(managerLevel, level >= AccessLevel.owner);
  const user = await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).get();
  if (!user) throw new NotFoundError('404 User Not Found');
  const done = await db.insert(projectMembers).values({ projectId, userId, accessLevel: level }).onConflictDoNothing().returning();
  if (done.length === 0) throw new AlreadyExistsError('Member already exists');
}

/** Changes a member's access level, asked by someone at `managerLevel`; the last owner stays one. */
export async function updateMember(db: Database, projectId: number, userId: number, level: number, managerLevel: number): Promise<void> {
  checkLevel(level);
  const before = await currentLevel(db, projectId, userId);
  checkOwnerRule(managerLevel, level >= AccessLevel.owner || before >= AccessLevel.owner);
  const done = await db
    .update(projectMembers)
    .set({ accessLevel: level })
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        // the guards again, in the statement itself: a concurrent change cannot slip between
        level >= AccessLevel.owner || managerLevel >= AccessLevel.owner ? undefined : sql`${projectMembers.accessLevel} < ${AccessLevel.owner}`,
        level >= AccessLevel.owner ? undefined : sql`(${projectMembers.accessLevel} < ${AccessLevel.owner} OR ${otherOwner(projectId, userId)})`,
      ),
    )
    .returning();
  if (done.length === 0) throw before >= AccessLevel.owner ? new ConflictError(LAST_OWNER) : new NotFoundError('404 Member Not Found');
}

/** Removes a member, asked by someone at `managerLevel`; the last owner cannot be removed. */
export async function removeMember(db: Database, projectId: number, userId: number, managerLevel: number): Promise<void> {
  const before = await currentLevel(db, projectId, userId);
  checkOwnerRule(managerLevel, before >= AccessLevel.owner);
  const done = await db
    .delete(projectMembers)
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        managerLevel >= AccessLevel.owner ? undefined : sql`${projectMembers.accessLevel} < ${AccessLevel.owner}`,
        sql`(${projectMembers.accessLevel} < ${AccessLevel.owner} OR ${otherOwner(projectId, userId)})`,
      ),
    )
    .returning();
  if (done.length === 0) throw before >= AccessLevel.owner ? new ConflictError(LAST_OWNER) : new NotFoundError('404 Member Not Found');
}

/** The GitLab shape of a project. */
export function projectJson(p: Project) {
  return {
    id: p.id,
    name: p.name,
    path: p.path,
    namespace: p.namespace,
    path_with_namespace: `${p.namespace}/${p.path}`,
    description: p.description,
    created_at: new Date(p.createdAt).toISOString(),
  };
}
