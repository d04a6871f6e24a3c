/**
 * Feature flags in KV, GitLab-style: a flag is on for everyone, off, or on for some projects.
 * One KV key per flag, named after the flag, holding `{"enabled": bool, "projects": [ids]}`:
 *
 *   wrangler kv key put --binding FLAGS ml_experiment_tracking '{"enabled":true}'
 *   wrangler kv key put --binding FLAGS ml_experiment_tracking '{"enabled":false,"projects":[3]}'
 */
import { InvalidInputError, NotFoundError } from '../errors';

/** The flags this instance knows. */
export const KNOWN_FLAGS = ['ml_experiment_tracking'] as const;
export type FlagName = (typeof KNOWN_FLAGS)[number];

/** A flag's stored state. */
export type FlagState = { enabled: boolean; projects: number[] };

const OFF: FlagState = { enabled: false, projects: [] };

function checkName(name: string): FlagName {
  if (!(KNOWN_FLAGS as readonly string[]).includes(name)) throw new NotFoundError(`Feature '${name}' is not known`);
  return name as FlagName;
}

/** Reads a flag's state (one KV read); absent or unreadable means off. */
export async function readFlag(kv: KVNamespace, name: FlagName): Promise<FlagState> {
  const raw = await kv.get<Partial<FlagState>>(name, 'json').catch(() => null);
  if (!raw || typeof raw !== 'object') return OFF;
  return {
    enabled: raw.enabled === true,
    projects: Array.isArray(raw.projects) ? raw.projects.filter((p) => Number.isInteger(p)) : [],
  };
}

/** Whether a flag state is on for a project. */
export function isOnFor(state: FlagState, projectId: number): boolean {
  return state.enabled || state.projects.includes(projectId);
}

/**
 * Sets a flag: for everyone (`projectId` undefined) or for one project. Turning it off for one
 * project removes that project from the list; it stays on for everyone if it was.
 */
export async function setFlag(kv: KVNamespace, name: string, value: boolean, projectId?: number): Promise<FlagState> {
  const flag = checkName(name);
  const state = await readFlag(kv, flag);
  let next: FlagState;
  if (projectId === undefined) next = value ? { enabled: true, projects: state.projects } : { ...OFF };
  else {
    const others = state.projects.filter((p) => p !== projectId);
    next = { enabled: state.enabled, projects: value ? [...others, projectId] : others };
  }
  await kv.put(flag, JSON.stringify(next));
  return next;
}

/** Removes a flag's state: it is off again. */
export async function deleteFlag(kv: KVNamespace, name: string): Promise<void> {
  await kv.delete(checkName(name));
}

/** Parses GitLab's `value` parameter (`true` / `false`). */
export function parseFlagValue(value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new InvalidInputError('value must be true or false', 'value');
}

/** GitLab's Features API shape of a flag. */
export function flagJson(name: string, state: FlagState) {
  const gates: { key: string; value: unknown }[] = [{ key: 'boolean', value: state.enabled }];
  if (state.projects.length > 0) gates.push({ key: 'actors', value: state.projects.map((p) => `Project:${p}`) });
  return { name, state: state.enabled ? 'on' : state.projects.length > 0 ? 'conditional' : 'off', gates };
}
