/**
 * Experiment Candidates: `/:namespace/:project/-/ml/experiments/:experiment_id` — one row per
 * candidate with a column per param and metric; filter by name as you type, sort by name,
 * created, or any metric or param, 30 per page with keyset paging; the URL keeps filter, sort
 * and page. `.../candidates.csv` streams every matching candidate.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { InvalidInputError } from '../errors';
import { experimentColumnKeys, loadCandidateRows, type CandidateRow } from '../tracking/candidate-table';
import { searchRunIds } from '../tracking/search';
import { quote } from '../tracking/search/lexer';
import { ActiveSearch, Num, Status, SwapLink, Time } from './kit/components';
import { experimentOf } from './route-params';
import { combineFilter, extrasQuery, FilterError, readSearchExtras, SearchFields, viewTypeOf, type SearchExtras } from './search-box';
import { livePollAttrs } from './live-poll';
import type { Project } from '../access/policy';
import type { Database } from '../db/client';
import { ExperimentActions } from './experiment-forms';
import { CompareBar, CompareCheckbox } from './compare';
import { candidateCsv } from './csv';
import { page, wantsFragment } from './layout';
import { candidatePath, experimentPath, experimentsPath, projectPath, traceListPath, withQuery } from './paths';
import { loggedModelsOfExperiment } from '../tracking/logged-models';
import { LoggedModelList } from './logged-models';

/** How many of an experiment's newest logged models its page lists. */
const LISTED_MODELS = 20;

const PER_PAGE = 30;
/** The columns come from the keys of this many newest candidates, plus those of the rows shown. */
const KEYS_FROM_RECENT = 1000;

/** The table's state, all of it in the URL. */
type View = { name: string; sort: string; order: 'asc' | 'desc'; pageToken?: string; extras: SearchExtras };

const NO_EXTRAS: SearchExtras = { filter: '', status: '', mine: false, deleted: false };

function readView(c: Context<AppEnv>): View {
  const sort = c.req.query('sort') || 'created';
  if (!/^(name|created|metric:.+|param:.+)$/s.test(sort)) throw new InvalidInputError('sort must be name, created, metric:<key> or param:<key>', 'sort');
  const order = c.req.query('order') === 'asc' ? 'asc' : 'desc';
  return { name: (c.req.query('name') ?? '').slice(0, 250), sort, order, pageToken: c.req.query('page_token') || undefined, extras: readSearchExtras(c) };
}

/** The view as a search: the filter box, quick filters and name filter, and an MLflow order_by clause. */
export function searchOf(view: View, username: string): { filter?: string; orderBy: string[] } {
  const dir = view.order.toUpperCase();
  let orderBy: string;
  if (view.sort === 'name') orderBy = `attributes.run_name ${dir}`;
  else if (view.sort === 'created') orderBy = `attributes.start_time ${dir}`;
  else if (view.sort.startsWith('metric:')) orderBy = `metrics.${quote(view.sort.slice(7), '`')} ${dir}`;
  else orderBy = `params.${quote(view.sort.slice(6), '`')} ${dir}`;
  const name = view.name.trim();
  const filter = name ? `attributes.run_name ILIKE ${quote(`%${name}%`)}` : undefined;
  return { filter: combineFilter(filter, view.extras, username), orderBy: [orderBy] };
}

const viewQuery = (view: View, extra: Record<string, string | undefined> = {}) => ({
  name: view.name || undefined,
  sort: view.sort === 'created' ? undefined : view.sort,
  order: view.order === 'desc' ? undefined : view.order,
  ...extrasQuery(view.extras),
  ...extra,
});

/** The table's columns for `rows`: the keys of the newest candidates plus those of the rows (a live row asks the same). */
export async function tableColumnKeys(db: Database, experimentId: number, rows: CandidateRow[]) {
  const keys = await experimentColumnKeys(db, experimentId, { recent: KEYS_FROM_RECENT });
  addRowKeys(keys, rows);
  return keys;
}

/** Adds the keys the shown rows have but the columns lack (older candidates may log others). */
function addRowKeys(keys: { params: string[]; metrics: string[] }, rows: CandidateRow[]) {
  const params = new Set(keys.params);
  const metrics = new Set(keys.metrics);
  for (const r of rows) {
    for (const k of r.params.keys()) params.add(k);
    for (const k of r.metrics.keys()) metrics.add(k);
  }
  keys.params = [...params].sort();
  keys.metrics = [...metrics].sort();
}

/** Experiment Candidates and its CSV (mounted at `/:namespace/:project/-/ml/experiments/:iid`). */
export const candidateListRoutes = new Hono<AppEnv>();

candidateListRoutes.get('/:iid', async (c) => {
  const { project } = c.get('access');
  const db = c.get('db');
  const experiment = await experimentOf(c);
  const self = experimentPath(project, experiment.iid);
  const keys = await experimentColumnKeys(db, experiment.id, { recent: KEYS_FROM_RECENT });
  let view: View = { name: '', sort: 'created', order: 'desc', extras: NO_EXTRAS };
  let rows: CandidateRow[] = [];
  let next: string | undefined;
  let problem: string | undefined;
  try {
    view = readView(c);
    const result = await searchRunIds(db, { experimentIds: [experiment.id], ...searchOf(view, c.get('actor')!.user.username), viewType: viewTypeOf(view.extras), maxResults: PER_PAGE, pageToken: view.pageToken });
    rows = await loadCandidateRows(db, result.ids);
    next = result.nextPageToken;
    addRowKeys(keys, rows);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    problem = error.message;
  }

  const sortLink = (sort: string, label: string) => {
    const active = view.sort === sort;
    const order = active && view.order === 'desc' ? 'asc' : 'desc';
    const href = withQuery(self, viewQuery({ ...view, sort, order }));
    return (
      <SwapLink href={href} target="#candidates-page" class={active ? 'sorted' : undefined} aria-label={`Sort by ${label}, ${order === 'asc' ? 'ascending' : 'descending'}`}>
        {label}
        {active ? (view.order === 'asc' ? ' ▲' : ' ▼') : ''}
      </SwapLink>
    );
  };

  const results = () => (
    <div id="candidates" class="results" aria-live="polite">
      {problem ? (
        <FilterError message={problem} filter={view.extras.filter} />
      ) : null}
      {rows.length === 0 && !problem ? (
        <p class="empty">{view.name || view.extras.filter || view.extras.status || view.extras.mine || view.extras.deleted ? 'No candidates match this filter.' : 'No candidates in this experiment yet.'}</p>
      ) : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table class="candidates">
            <thead>
              <tr>
                <th scope="col" class="pick-col">
                  <span class="visually-hidden">Compare</span>
                </th>
                <th scope="col">{sortLink('name', 'Name')}</th>
                <th scope="col">Status</th>
                <th scope="col">{sortLink('created', 'Created')}</th>
                <th scope="col">User</th>
                {keys.params.map((k) => (
                  <th scope="col" class="param">
                    {sortLink(`param:${k}`, k)}
                  </th>
                ))}
                {keys.metrics.map((k) => (
                  <th scope="col" class="num metric">
                    {sortLink(`metric:${k}`, k)}
                  </th>
                ))}
                <th scope="col">Artifacts</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <CandidateTableRow project={project} row={r} keys={keys} live={!view.extras.deleted} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav class="pager" aria-label="Pages">
        {view.pageToken ? (
          <SwapLink href={withQuery(self, viewQuery(view))} target="#candidates">
            ← First page
          </SwapLink>
        ) : null}
        {next ? (
          <SwapLink href={withQuery(self, viewQuery(view, { page_token: next }))} target="#candidates" rel="next">
            Next page →
          </SwapLink>
        ) : null}
        <a class="button secondary" href={withQuery(`${self}/candidates.csv`, viewQuery(view))} download>
          Download CSV
        </a>
      </nav>
    </div>
  );

  // the experiment's logged models, under its candidates (not in the table's own fragment)
  const models = wantsFragment(c) && !c.req.header('hx-target')?.endsWith('#candidates-page') ? [] : await loggedModelsOfExperiment(db, experiment.id, LISTED_MODELS);
  const sortOptions = [
    ['created', 'Created'],
    ['name', 'Name'],
    ...keys.metrics.map((k) => [`metric:${k}`, `Metric: ${k}`]),
    ...keys.params.map((k) => [`param:${k}`, `Param: ${k}`]),
  ];
  const whole = () => (
    <section id="candidates-page">
      <h1>{experiment.name}</h1>
      <ExperimentActions c={c} iid={experiment.iid} note={experiment.note} />
      <p class="muted">
        Experiment id <code>{String(experiment.iid)}</code> · created <Time ms={experiment.createdAt} /> · last activity <Time ms={experiment.updatedAt} />
      </p>
      <p>
        <a href={traceListPath(project, experiment.iid)}>Traces</a> of this experiment
      </p>
      <ActiveSearch action={self} target="#candidates">
        <label class="grow">
          Filter by name
          <input type="search" name="name" value={view.name} placeholder="Candidate name contains…" autocomplete="off" />
        </label>
        <SearchFields extras={view.extras} />
        <label>
          Sort by
          <select name="sort">
            {sortOptions.map(([value, label]) => (
              <option value={value} selected={view.sort === value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select name="order">
            <option value="desc" selected={view.order === 'desc'}>
              Descending
            </option>
            <option value="asc" selected={view.order === 'asc'}>
              Ascending
            </option>
          </select>
        </label>
        <button type="submit">Apply</button>
      </ActiveSearch>
      <CompareBar project={project} iid={experiment.iid} />
      <p>
        <a href={withQuery(`${self}/sweep`, extrasQuery(view.extras))}>Sweep analysis</a> <span class="muted">of the candidates this filter matches: parallel coordinates, param against metric.</span>
      </p>
      {results()}
      {models.length ? <LoggedModelList project={project} models={models} /> : null}
    </section>
  );

  return page(c, {
    title: `${experiment.name} · Experiments`,
    status: problem ? 400 : 200,
    crumbs: [
      { label: 'Projects', href: '/' },
      { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
      { label: 'Experiments', href: experimentsPath(project) },
      { label: experiment.name },
    ],
    scripts: ['/assets/compare-select.js'],
    styles: ['/assets/ml.css'],
    fragment: () => (c.req.header('hx-target')?.endsWith('#candidates-page') ? whole() : results()),
    body: whole(),
  });
});

candidateListRoutes.get('/:iid/candidates.csv', async (c) => {
  const experiment = await experimentOf(c);
  const view = readView(c);
  const db = c.get('db');
  const keys = await experimentColumnKeys(db, experiment.id);
  const search = { experimentIds: [experiment.id], ...searchOf(view, c.get('actor')!.user.username), viewType: viewTypeOf(view.extras) };
  // Check the search once before the 200 goes out, so that a bad one is a 400 page.
  const first = await searchRunIds(db, { ...search, maxResults: 500 });
  const body = candidateCsv(keys, first, (pageToken) => searchRunIds(db, { ...search, maxResults: 500, pageToken }), (ids) => loadCandidateRows(db, ids));
  const filename = `${experiment.name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'experiment'}-candidates.csv`;
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});

/** One row of the table; a RUNNING candidate's row polls for its fresh self (see live.tsx). */
export function CandidateTableRow(props: { project: Project; row: CandidateRow; keys: { params: string[]; metrics: string[] }; live: boolean }) {
  const { project, row: r, keys } = props;
  return (
    <tr {...(props.live ? livePollAttrs(project, r) : {})}>
      <td>
        <CompareCheckbox id={r.id} label={r.name || r.runId} />
      </td>
      <td class="text">
        <a href={candidatePath(project, r.id)}>{r.name || r.runId}</a>
      </td>
      <td>
        <Status status={r.status} />
      </td>
      <td>
        <Time ms={r.startTime} />
      </td>
      <td class="text">{r.user || <span class="muted">—</span>}</td>
      {keys.params.map((k) => (
        <td class="text">{r.params.get(k) ?? <span class="muted">—</span>}</td>
      ))}
      {keys.metrics.map((k) => (
        <td class="num">
          <Num value={r.metrics.get(k)} />
        </td>
      ))}
      <td>
        <a href={`${candidatePath(project, r.id)}#artifacts`}>Artifacts</a>
      </td>
      <td>
        <a href={candidatePath(project, r.id)}>Details</a>
      </td>
    </tr>
  );
}
