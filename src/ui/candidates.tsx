/**
 * Experiment Candidates: `/:namespace/:project/-/ml/experiments/:experiment_id` — one row per
 * candidate with a column per param and metric; filter by name as you type, sort by name,
 * created, or any metric or param, 30 per page with keyset paging; the URL keeps filter, sort
 * and page. `.../candidates.csv` streams every matching candidate.
 */
import { type Context } from 'hono';
import { formBody } from '../http/body';
import { handlers } from '../http/mount';
import { routes } from '../http/routes';
import type { AppEnv } from '../http/env';
import { InvalidInputError } from '../errors';
import { experimentColumnKeys, loadCandidatePage, loadCandidateRows, type CandidatePage, type CandidateRow, type ColumnKeys, type ExperimentHeader } from '../tracking/candidate-table';
import { searchRunIds } from '../tracking/search';
import { quote } from '../tracking/search/lexer';
import { defaultColumns, parseColumns, saveColumns, type TableColumn } from '../tracking/table-columns';
import { chosenColumns, ColumnCell, ColumnChooser, columnsQuery } from './candidate-columns';
import { ActiveSearch, RelativeTime, Status, SwapLink, Time } from './kit/components';
import { experimentsCrumbs } from './kit/crumbs';
import { Pager } from './kit/pager';
import { DataTable } from './kit/tables';
import { experimentOf } from './route-params';
import { combineFilter, extrasQuery, FilterError, readSearchExtras, SearchFields, viewTypeOf, type SearchExtras } from './search-box';
import { livePollAttrs } from './live-poll';
import type { Project } from '../access/policy';
import type { Database } from '../db/client';
import { ExperimentActions } from './experiment-forms';
import { CompareBar, CompareCheckbox } from './compare';
import { candidateCsv } from './csv';
import { page, wantsFragment } from './layout';
import { candidatePath, experimentPath, projectLink, traceListPath, withQuery } from './paths';
import { loggedModelsOfExperiment } from '../tracking/logged-models';
import { LoggedModelList } from './logged-models';

/** How many of an experiment's newest logged models its page lists. */
const LISTED_MODELS = 20;

const PER_PAGE = 30;
/** The columns come from the keys of this many newest candidates, plus those of the rows shown. */
const KEYS_FROM_RECENT = 1000;

/** The table's state, all of it in the URL (`page` numbers the page reached by `pageToken`, for the pager's words). */
type View = { name: string; sort: string; order: 'asc' | 'desc'; pageToken?: string; page: number; extras: SearchExtras };

const NO_EXTRAS: SearchExtras = { filter: '', status: '', mine: false, deleted: false };

function readView(c: Context<AppEnv>): View {
  const sort = c.req.query('sort') || 'created';
  if (!/^(name|created|metric:.+|param:.+)$/s.test(sort)) throw new InvalidInputError('sort must be name, created, metric:<key> or param:<key>', 'sort');
  const order = c.req.query('order') === 'asc' ? 'asc' : 'desc';
  const pageToken = c.req.query('page_token') || undefined;
  const page = pageToken ? Math.min(Math.max(1, Math.trunc(Number(c.req.query('page')) || 1)), 1_000_000) : 1;
  return { name: (c.req.query('name') ?? '').slice(0, 250), sort, order, pageToken, page, extras: readSearchExtras(c) };
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

/** The table's column keys for `rows`: the keys of the newest candidates plus those of the rows (a live row asks the same). */
export async function tableColumnKeys(db: Database, experimentId: number, rows: CandidateRow[]): Promise<ColumnKeys> {
  const keys = await experimentColumnKeys(db, experimentId, { recent: KEYS_FROM_RECENT });
  addRowKeys(keys, rows);
  return keys;
}

/** Adds the keys the shown rows have but the columns lack (older candidates may log others). */
function addRowKeys(keys: ColumnKeys, rows: CandidateRow[]) {
  const params = new Set(keys.params);
  const metrics = new Set(keys.metrics);
  const tags = new Set(keys.tags);
  for (const r of rows) {
    for (const k of r.params.keys()) params.add(k);
    for (const k of r.metrics.keys()) metrics.add(k);
    for (const k of r.tags.keys()) if (!k.startsWith('mlflow.')) tags.add(k);
  }
  keys.params = [...params].sort();
  keys.metrics = [...metrics].sort();
  keys.tags = [...tags].sort();
}

/** Everything Experiment Candidates shows; a bad view or filter is `problem` (shown in place, with a 400) over an empty table. */
async function loadCandidateTable(c: Context<AppEnv>, experiment: ExperimentHeader, withModels: boolean) {
  const db = c.get('db');
  let view: View = { name: '', sort: 'created', order: 'desc', page: 1, extras: NO_EXTRAS };
  let table: CandidatePage = { rows: [], children: new Map(), total: 0 };
  let chosen: TableColumn[] | undefined;
  let problem: string | undefined;
  const keysLoaded = experimentColumnKeys(db, experiment.id, { recent: KEYS_FROM_RECENT });
  // the experiment's logged models, under its candidates (not in the table's own fragment)
  const models = withModels ? loggedModelsOfExperiment(db, experiment.id, LISTED_MODELS) : [];
  let keys: ColumnKeys;
  try {
    view = readView(c);
    const search = { experimentIds: [experiment.id], ...searchOf(view, c.get('actor')!.user.username), viewType: viewTypeOf(view.extras), maxResults: PER_PAGE, pageToken: view.pageToken };
    [keys, chosen, table] = await Promise.all([keysLoaded, chosenColumns(c, experiment.id), loadCandidatePage(db, experiment.id, search, !view.extras.deleted)]);
    addRowKeys(keys, [...table.rows, ...[...table.children.values()].flat()]);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    problem = error.message;
    keys = await keysLoaded;
  }
  return { view, table, chosen, columns: chosen ?? defaultColumns(keys), keys, problem, models: await models };
}

/** What Experiment Candidates shows, and the link to the table with another view (its chosen columns kept). */
type Table = Awaited<ReturnType<typeof loadCandidateTable>> & { experiment: ExperimentHeader; viewLink: (v: View, extra?: Record<string, string | undefined>) => string };

/** Experiment Candidates, its CSV, and the remembered columns. */
export const candidateListRoutes = handlers();

candidateListRoutes.on(routes.ui.experiment, async (c) => {
  const { project } = c.get('access');
  const experiment = await experimentOf(c);
  // htmx swaps either the whole page section (after a column change) or only the results
  const whole = !wantsFragment(c) || !!c.req.header('hx-target')?.endsWith('#candidates-page');
  const loaded = await loadCandidateTable(c, experiment, whole);
  const self = experimentPath(project, experiment.iid);
  const t: Table = { ...loaded, experiment, viewLink: (v, extra = {}) => withQuery(self, viewQuery(v, extra), loaded.chosen ? columnsQuery(loaded.chosen) : []) };
  return page(c, {
    title: `${experiment.name} · Experiments`,
    status: t.problem ? 400 : 200,
    crumbs: experimentsCrumbs(project, { label: experiment.name }),
    scripts: ['/assets/compare-select.js', '/assets/candidates-table.js'],
    styles: ['/assets/ml.css'],
    fragment: () => (whole ? <CandidatesPage c={c} t={t} /> : <CandidateResults project={project} t={t} />),
    body: <CandidatesPage c={c} t={t} />,
  });
});

/** The experiment's header, its search form, the compare bar, the column chooser, the results and its logged models. */
function CandidatesPage(props: { c: Context<AppEnv>; t: Table }) {
  const { c, t } = props;
  const { project } = c.get('access');
  const { experiment, view } = t;
  const self = experimentPath(project, experiment.iid);
  return (
    <section id="candidates-page">
      <h1>{experiment.name}</h1>
      <ExperimentActions c={c} iid={experiment.iid} note={experiment.note} />
      <p class="muted">
        Experiment id <code>{String(experiment.iid)}</code> · created <Time ms={experiment.createdAt} /> · last activity <Time ms={experiment.updatedAt} />
      </p>
      <p>
        <a href={traceListPath(project, experiment.iid)}>Traces</a> of this experiment
      </p>
      <CandidateSearch self={self} t={t} />
      <CompareBar project={project} iid={experiment.iid} />
      <ColumnChooser
        action={self}
        rememberAction={projectLink(routes.ui.candidateColumns, project, { iid: experiment.iid })}
        csrf={c.get('actor')!.csrfToken ?? ''}
        keys={t.keys}
        columns={t.columns}
        hidden={Object.entries(viewQuery(view)).filter((e): e is [string, string] => e[1] !== undefined)}
      />
      <p>
        <a href={withQuery(projectLink(routes.ui.sweep, project, { iid: experiment.iid }), extrasQuery(view.extras))}>Sweep analysis</a> <span class="muted">of the candidates this filter matches: parallel coordinates, param against metric.</span>
      </p>
      <CandidateResults project={project} t={t} />
      {t.models.length ? <LoggedModelList project={project} models={t.models} /> : null}
    </section>
  );
}

/** The search form: name, the filter box and quick filters, sort and order (the chosen columns kept). */
function CandidateSearch(props: { self: string; t: Table }) {
  const { view, keys, chosen } = props.t;
  const sortOptions = [
    ['created', 'Created'],
    ['name', 'Name'],
    ...keys.metrics.map((k) => [`metric:${k}`, `Metric: ${k}`]),
    ...keys.params.map((k) => [`param:${k}`, `Param: ${k}`]),
  ];
  return (
    <ActiveSearch action={props.self} target="#candidates">
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
      {chosen ? columnsQuery(chosen).map(([name, value]) => <input type="hidden" name={name} value={value} />) : null}
      <button type="submit">Apply</button>
    </ActiveSearch>
  );
}

/** The table (`#candidates`, what the search swaps): the filter's error, the rows, children under their parents, the pager and the CSV. */
function CandidateResults(props: { project: Project; t: Table }) {
  const { project, t } = props;
  const { view, columns, problem, viewLink } = t;
  const { rows, children, next, previous, total } = t.table;
  const first = (view.page - 1) * PER_PAGE + 1;
  const sortLink = (sort: string, label: string) => <SortLink t={t} sort={sort} label={label} />;
  const live = !view.extras.deleted;
  return (
    <div id="candidates" class="results" aria-live="polite">
      {problem ? <FilterError message={problem} filter={view.extras.filter} /> : null}
      {rows.length === 0 && !problem ? (
        <p class="empty">{view.name || view.extras.filter || view.extras.status || view.extras.mine || view.extras.deleted ? 'No candidates match this filter.' : 'No candidates in this experiment yet.'}</p>
      ) : null}
      {rows.length > 0 ? (
        <DataTable
          columns={[
            { label: <span class="visually-hidden">Compare</span>, class: 'pick-col' },
            { label: sortLink('name', 'Name'), class: 'name-col' },
            'Status',
            { label: sortLink('created', 'Created') },
            'User',
            ...columns.map((col) => ({ label: col.kind === 'tag' ? col.key : sortLink(`${col.kind}:${col.key}`, col.key), class: col.kind === 'metric' ? 'num metric' : col.kind })),
            'Artifacts',
            'Details',
          ]}
          class="candidates"
        >
          {rows.flatMap((r) => [
            <CandidateTableRow project={project} row={r} columns={columns} live={live} childCount={children.get(r.runId)?.length} />,
            ...(children.get(r.runId) ?? []).map((child) => <CandidateTableRow project={project} row={child} columns={columns} live={live} parentId={r.id} />),
          ])}
        </DataTable>
      ) : null}
      <Pager
        target="#candidates"
        back={previous ? { href: viewLink(view, view.page > 2 ? { page_token: previous, page: String(view.page - 1) } : {}), label: '← Previous page' } : undefined}
        next={next ? { href: viewLink(view, { page_token: next, page: String(view.page + 1) }), label: 'Next page →' } : undefined}
      >
        {rows.length > 0 ? (
          <span id="candidates-count">
            {first}–{first + rows.length - 1} of {total} candidates
          </span>
        ) : null}
        <a class="button secondary" href={withQuery(projectLink(routes.ui.candidatesCsv, project, { iid: t.experiment.iid }), viewQuery(view))} download>
          Download CSV
        </a>
      </Pager>
    </div>
  );
}

/** A column head that sorts by it: descending first, then the other way; the sorted one marked ▲/▼. */
function SortLink(props: { t: Table; sort: string; label: string }) {
  const { view, viewLink } = props.t;
  const active = view.sort === props.sort;
  const order = active && view.order === 'desc' ? 'asc' : 'desc';
  return (
    <SwapLink href={viewLink({ ...view, sort: props.sort, order })} target="#candidates-page" class={active ? 'sorted' : undefined} aria-label={`Sort by ${props.label}, ${order === 'asc' ? 'ascending' : 'descending'}`}>
      {props.label}
      {active ? (view.order === 'asc' ? ' ▲' : ' ▼') : ''}
    </SwapLink>
  );
}

candidateListRoutes.on(routes.ui.candidatesCsv, async (c) => {
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

/**
 * The user's choice of columns for this experiment, remembered (`col`, the columns shown) or
 * forgotten (`reset`); then back to the table with the same view (`view`, its query).
 */
candidateListRoutes.on(routes.ui.candidateColumns, async (c) => {
  const experiment = await experimentOf(c);
  const form = await formBody(c, true);
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
  const columns = form.reset ? [] : parseColumns(list(form.col));
  await saveColumns(c.get('db'), c.get('actor')!.user.id, experiment.id, columns);
  const view = new URLSearchParams(typeof form.view === 'string' ? form.view : '');
  view.delete('col');
  for (const col of columnsQuery(columns)) view.append(...col);
  const query = view.toString();
  return c.redirect(`${experimentPath(c.get('access').project, experiment.iid)}${query ? `?${query}` : ''}`, 303);
});

/**
 * One row of the table; a RUNNING candidate's row polls for its fresh self (see live.tsx). A
 * parent shows how many children follow it, with a button that folds them away (static/assets/
 * candidates-table.js); a child row names its parent's id.
 */
export function CandidateTableRow(props: { project: Project; row: CandidateRow; columns: TableColumn[]; live: boolean; childCount?: number; parentId?: number }) {
  const { project, row: r } = props;
  const name = r.name || r.runId;
  return (
    <tr {...(props.live ? livePollAttrs(project, r) : {})} class={props.parentId ? 'child' : undefined} data-parent={props.parentId}>
      <td>
        <CompareCheckbox id={r.id} label={name} />
      </td>
      <td class="text">
        {props.parentId ? (
          <span class="child-mark" aria-hidden="true">
            ↳{' '}
          </span>
        ) : null}
        <a href={candidatePath(project, r.id)}>{name}</a>
        {props.childCount ? (
          <>
            {' '}
            <button type="button" class="link toggle-children" aria-expanded="true" data-children-of={String(r.id)} aria-label={`Hide the ${props.childCount} child runs of ${name}`} hidden>
              ▾ {props.childCount} {props.childCount === 1 ? 'child' : 'children'}
            </button>
            <span class="muted no-js-children">
              {' '}({props.childCount} {props.childCount === 1 ? 'child' : 'children'} below)
            </span>
          </>
        ) : null}
      </td>
      <td>
        <Status status={r.status} />
      </td>
      <td>
        <RelativeTime ms={r.startTime} />
      </td>
      <td class="text">{r.user || <span class="muted">—</span>}</td>
      {props.columns.map((column) => (
        <ColumnCell row={r} column={column} />
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
