/**
 * List of Experiments: `/:namespace/:project/-/ml/experiments` — newest activity first, searchable
 * by name as you type and by tag, deleted ones under a toggle (all of it in the URL).
 */
import { type Context } from 'hono';
import { mlflowTrackingPath, routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import { InvalidInputError } from '../errors';
import { loadExperimentListItems, type ExperimentListItem } from '../tracking/experiment-list';
import { searchExperimentIds } from '../tracking/search';
import { Copyable, Time } from './kit/components';
import { projectCrumbs } from './kit/crumbs';
import { Pager } from './kit/pager';
import { Alert } from './kit/problems';
import { DataTable } from './kit/tables';
import { ExperimentSearchForm, experimentSearchOf, readExperimentSearch, RestoreButton, searchQuery, type ExperimentListSearch } from './experiment-search';
import { page } from './layout';
import { experimentPath, experimentsPath, withQuery } from './paths';

const PER_PAGE = 20;

/** The List of Experiments (declared in `routes.ui`: read_ml and the flag). */
export const experimentRoutes = handlers();

/** One page of the experiments the search finds, or the problem with the search. */
type ExperimentList = { items: ExperimentListItem[]; next?: string; problem?: string };

async function loadExperimentList(c: Context<AppEnv>, search: ExperimentListSearch, after: string | undefined): Promise<ExperimentList> {
  const db = c.get('db');
  try {
    const found = await searchExperimentIds(db, { projectId: c.get('access').project.id, ...experimentSearchOf(search), maxResults: PER_PAGE, pageToken: after });
    return { items: await loadExperimentListItems(db, found.ids), next: found.nextPageToken };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { items: [], problem: error.message };
  }
}

experimentRoutes.on(routes.ui.experiments, async (c) => {
  const { project } = c.get('access');
  const after = c.req.query('after') || undefined;
  const search = readExperimentSearch(c);
  const list = await loadExperimentList(c, search, after);
  const results = () => <ExperimentResults c={c} search={search} after={after} list={list} />;
  return page(c, {
    title: `Experiments · ${project.name}`,
    crumbs: projectCrumbs(project, { label: 'Experiments' }),
    status: list.problem ? 400 : 200,
    fragment: results,
    body: (
      <section>
        <h1>Experiments</h1>
        <ExperimentSearchForm c={c} search={search} />
        {results()}
      </section>
    ),
  });
});

/** The list and its pager (`#experiments`), also the fragment the search swaps. */
function ExperimentResults(props: { c: Context<AppEnv>; search: ExperimentListSearch; after?: string; list: ExperimentList }) {
  const { c, search, after, list } = props;
  const { project } = c.get('access');
  const filtered = Boolean(search.q || search.tag || search.deleted);
  return (
    <div id="experiments" class="results" aria-live="polite">
      {list.problem ? (
        <Alert>{list.problem}</Alert>
      ) : list.items.length === 0 && filtered ? (
        <p class="empty">{search.deleted ? 'No deleted experiments match.' : 'No experiments match this search.'}</p>
      ) : list.items.length === 0 && !after ? (
        <EmptyState origin={new URL(c.req.url).origin} projectId={project.id} userId={c.get('actor')!.user.id} />
      ) : (
        <>
          <ExperimentTable c={c} deleted={search.deleted} items={list.items} />
          <Pager
            target="#experiments"
            back={after ? { href: withQuery(experimentsPath(project), searchQuery(search)), label: '← Newest' } : undefined}
            next={list.next ? { href: withQuery(experimentsPath(project), { ...searchQuery(search), after: list.next }), label: 'Next page →' } : undefined}
          />
        </>
      )}
    </div>
  );
}

/** Name, candidates, creator, last activity, created; deleted experiments with a Restore button instead of a link. */
function ExperimentTable(props: { c: Context<AppEnv>; deleted: boolean; items: ExperimentListItem[] }) {
  const { c, deleted } = props;
  const { project } = c.get('access');
  return (
    <DataTable columns={['Name', { label: 'Candidates', class: 'num' }, { label: 'Creator', class: 'hide-small' }, 'Last activity', { label: 'Created', class: 'hide-small' }, deleted && 'Restore']}>
      {props.items.map((e) => (
        <tr>
          <td class="text">{deleted ? e.name : <a href={experimentPath(project, e.iid)}>{e.name}</a>}</td>
          <td class="num">{e.candidateCount}</td>
          <td class="hide-small">{e.creator ?? <span class="muted">—</span>}</td>
          <td>
            <Time ms={e.lastActivity} />
          </td>
          <td class="hide-small">
            <Time ms={e.createdAt} />
          </td>
          {deleted ? (
            <td>
              <RestoreButton c={c} iid={e.iid} name={e.name} />
            </td>
          ) : null}
        </tr>
      ))}
    </DataTable>
  );
}

function EmptyState(props: { origin: string; projectId: number; userId: number }) {
  const uri = `${props.origin}${mlflowTrackingPath(props.projectId)}`;
  const snippet = [
    `export MLFLOW_TRACKING_URI="${uri}"`,
    'export MLFLOW_TRACKING_TOKEN="<your personal access token (scope api)>"',
    '',
    "python - <<'PY'",
    'import mlflow',
    'mlflow.set_experiment("my-first-experiment")',
    'with mlflow.start_run():',
    '    mlflow.log_param("learning_rate", 0.01)',
    '    mlflow.log_metric("accuracy", 0.9)',
    'PY',
  ].join('\n');
  const tokenCmd = `curl -X POST "${props.origin}${routes.gitlab.createToken.link({ id: props.userId })}" \\\n  -H "PRIVATE-TOKEN: <a token you already have>" -H "content-type: application/json" \\\n  -d '{"name":"mlflow","scopes":["api"]}'`;
  return (
    <div class="card empty-state">
      <h2>No experiments yet</h2>
      <p>Log to this project with the MLflow client: paste these lines in a shell where MLflow is installed.</p>
      <Copyable id="mlflow-snippet" text={snippet} block />
      <p>
        Tracking URI for this project: <code>{uri}</code>
      </p>
      <p>
        Where to get a token: use a personal access token with the <code>api</code> scope. Ask your instance admin for one, or create another
        from a token you already have:
      </p>
      <Copyable id="token-snippet" text={tokenCmd} block />
    </div>
  );
}
