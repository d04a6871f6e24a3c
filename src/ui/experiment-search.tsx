/**
 * Search on the List of Experiments: by name as you type, by tag (`key` or `key=value`), and the
 * "deleted" toggle that lists deleted experiments (each with a Restore button), as an MLflow
 * experiments search run by the same search code as the API; the state lives in the URL.
 */
import type { Context } from 'hono';
import { routes } from '../http/routes';
import type { AppEnv } from '../http/env';
import type { ExperimentSearch } from '../tracking/search';
import { canWrite, Csrf } from './kit/forms';
import { quote } from '../tracking/search/lexer';
import { experimentsPath, newExperimentPath, projectLink } from './paths';
import { ActiveSearch } from './kit/components';

/** The list's search state. */
export type ExperimentListSearch = { q: string; tag: string; deleted: boolean };

/** Reads `q`, `tag` and `deleted` from the query. */
export function readExperimentSearch(c: Context<AppEnv>): ExperimentListSearch {
  return { q: (c.req.query('q') ?? '').slice(0, 500), tag: (c.req.query('tag') ?? '').slice(0, 1000), deleted: c.req.query('deleted') === '1' };
}

/** The state as query parameters (empty ones left out). */
export const searchQuery = (s: ExperimentListSearch) => ({ q: s.q || undefined, tag: s.tag || undefined, deleted: s.deleted ? '1' : undefined });

/** The state as an experiments search: filter, newest activity first, and the view type. */
export function experimentSearchOf(s: ExperimentListSearch): Pick<ExperimentSearch, 'filter' | 'orderBy' | 'viewType'> {
  const parts: string[] = [];
  const q = s.q.trim();
  if (q) parts.push(`name ILIKE ${quote(`%${q}%`)}`);
  const tag = s.tag.trim();
  if (tag) {
    const at = tag.indexOf('=');
    if (at < 0) parts.push(`tags.${quote(tag, '`')} IS NOT NULL`);
    else parts.push(`tags.${quote(tag.slice(0, at).trim(), '`')} = ${quote(tag.slice(at + 1).trim())}`);
  }
  return {
    filter: parts.length ? parts.join(' AND ') : undefined,
    orderBy: ['last_update_time DESC', 'experiment_id DESC'],
    viewType: s.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
  };
}

/** The search form above the list, with "New experiment" for writers. */
export function ExperimentSearchForm(props: { c: Context<AppEnv>; search: ExperimentListSearch }) {
  const { c, search } = props;
  const { project } = c.get('access');
  const self = experimentsPath(project);
  return (
    <div class="toolbar-row">
      <ActiveSearch action={self} target="#experiments">
        <label class="grow">
          Search by name
          <input type="search" name="q" value={search.q} placeholder="Experiment name contains…" autocomplete="off" />
        </label>
        <label>
          Tag
          <input type="search" name="tag" value={search.tag} placeholder="key or key=value" autocomplete="off" />
        </label>
        <label class="check">
          <input type="checkbox" name="deleted" value="1" checked={search.deleted} /> Show deleted
        </label>
        <button type="submit">Search</button>
      </ActiveSearch>
      {canWrite(c) ? (
        <a class="button" href={newExperimentPath(project)}>
          New experiment
        </a>
      ) : null}
    </div>
  );
}

/** For a writer, the Restore button of a deleted experiment. */
export function RestoreButton(props: { c: Context<AppEnv>; iid: number; name: string }) {
  const { c } = props;
  if (!canWrite(c)) return <span class="muted">—</span>;
  return (
    <form method="post" action={projectLink(routes.ui.restoreExperiment, c.get('access').project, { iid: props.iid })}>
      <Csrf c={c} />
      <button type="submit" class="secondary" aria-label={`Restore ${props.name}`}>
        Restore
      </button>
    </form>
  );
}
