/**
 * The ids in UI routes. A path parameter that is not an id names nothing: a 404, as for an id
 * that is not there.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { NotFoundError } from '../errors';
import { getExperimentHeader, type ExperimentHeader } from '../tracking/candidate-table';

/** The numeric route parameter `name`, or NotFoundError "<what> <value> not found". */
export function idParam(c: Context, name: string, what: string): number {
  const raw = c.req.param(name) ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError(`${what} ${raw} not found`);
  return Number(raw);
}

/** The candidate id of a `/:candidate_id` route. */
export const candidateIdOf = (c: Context) => idParam(c, 'candidate_id', 'Candidate');

/** The active experiment of a `/:iid` route in the loaded project. */
export const experimentOf = (c: Context<AppEnv>): Promise<ExperimentHeader> =>
  getExperimentHeader(c.get('db'), c.get('access').project.id, idParam(c, 'iid', 'Experiment'));
