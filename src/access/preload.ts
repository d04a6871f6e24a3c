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

const API_PROJECT = /^\/api\/v4\/projects\/([^/]+)\//;
const UI_PROJECT = /^\/([^/]+)\/([^/]+)\/-\//;

/** The project reference in a path (`/api/v4/projects/<ref>/...` or `/<ns>/<project>/-/...`). */
export function projectRefFromPath(path: string): string | undefined {
  const api = API_PROJECT.exec(path);
  if (api) {
    try {
      return decodeURIComponent(api[1]);
    } catch {
      return undefined;
    }
  }
  const ui = UI_PROJECT.exec(path);
  return ui && ui[1] !== 'api' && ui[1] !== '-' ? `${ui[1]}/${ui[2]}` : undefined;
}
