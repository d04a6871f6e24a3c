/**
 * Live updates by htmx polling: an element showing a RUNNING candidate asks its fragment URL
 * again every few seconds and replaces itself with the answer; the answer for a finished
 * candidate carries no trigger, so polling stops by itself.
 */
import type { Project } from '../access/policy';
import { projectLink } from './paths';
import { routes } from '../http/routes';

/** How often a running candidate's fragments are asked for again. */
export const POLL_EVERY = '2s';

/** The URL of a candidate's row in the candidates table. */
export const candidateRowPath = (p: Pick<Project, 'namespace' | 'path'>, candidateId: number) => projectLink(routes.ui.candidateRow, p, { candidate_id: candidateId });
/** The URL of a candidate's live metrics section (table and charts). */
export const candidateLivePath = (p: Pick<Project, 'namespace' | 'path'>, candidateId: number) => projectLink(routes.ui.candidateLive, p, { candidate_id: candidateId });

/** htmx attributes that make an element re-fetch `url` and replace itself while `running`. */
export function pollAttrs(url: string, running: boolean): Record<string, string> {
  if (!running) return {};
  return { 'hx-get': url, 'hx-trigger': `every ${POLL_EVERY}`, 'hx-target': 'this', 'hx-swap': 'outerHTML', 'data-live': 'running' };
}

/** The polling attributes of a candidates-table row (none once the candidate is finished). */
export const livePollAttrs = (project: Pick<Project, 'namespace' | 'path'>, row: { id: number; status: string }) =>
  pollAttrs(candidateRowPath(project, row.id), row.status === 'RUNNING');
