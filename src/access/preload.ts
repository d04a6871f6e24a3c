/**
 * Authentication and the project in the path, in one query: a request to a project's routes
 * costs one D1 round trip before its handler runs, not two.
 */
import { and, eq, sql } from 'drizzle-orm';
import { projectMembers, projects, users } from '../db/schema';
import type { Actor } from './actor';
import type { Project } from './policy';
import { projectRefCondition } from './projects';

/** The project a request's path names, as found while authenticating (null: no such project). */
export type Preloaded = { ref: string; project: Project | null; level: number | null };

/** An authenticated actor, with the project of the path when one was asked for. */
export type Authenticated = { actor: Actor; preloaded?: Preloaded };

/** The join condition for the project named by `ref` (none matches without a valid ref). */
export const projectJoin = (ref: string | undefined) => (ref === undefined ? undefined : projectRefCondition(ref)) ?? sql`0`;

/** The join condition for the user's membership of the joined project. */
export const memberJoin = and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, users.id));
