import type { Actor } from './actor';
import type { projects } from '../db/schema';

/** A project row. */
export type Project = typeof projects.$inferSelect;

/** GitLab's access levels. */
export const AccessLevel = {
  none: 0,
  guest: 10,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
} as const;

/** The access levels a member may be given. */
export const MEMBER_LEVELS = [10, 20, 30, 40, 50] as const;

/** What an actor may want to do with a project. */
export type Ability =
  | 'read_project' // see that it exists, its name and members
  | 'read_ml' // experiments, candidates, models, artifacts, packages
  | 'write_ml' // log to, edit or delete them
  | 'admin_members' // add, change, remove members
  | 'admin_project'; // rename or delete the project

const REQUIRED: Record<Ability, number> = {
  read_project: AccessLevel.guest,
  read_ml: AccessLevel.reporter,
  write_ml: AccessLevel.developer,
  admin_members: AccessLevel.maintainer,
  admin_project: AccessLevel.owner,
};

/** The project being addressed and the actor's standing in it. */
export type ProjectAccess = {
  project: Project;
  /** The actor's membership level; instance admins count as owners. */
  level: number;
  actor: Actor | null;
};

/** Whether the actor may do `ability` on the project (scope limits included). */
export function can(access: ProjectAccess, ability: Ability): boolean {
  const { actor, level } = access;
  if (!actor) return false;
  const writes = ability !== 'read_project' && ability !== 'read_ml';
  if (writes && !actor.scopes.includes('api')) return false;
  if (actor.user.isAdmin) return true;
  return level >= REQUIRED[ability];
}
