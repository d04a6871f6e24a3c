/** List of Experiments: `/:namespace/:project/-/ml/experiments`. */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { listExperimentsPage } from '../tracking/experiment-list';
import { Copyable, SwapLink, Time } from './components';
import { page } from './layout';
import { experimentPath, experimentsPath, projectPath } from './paths';

const PER_PAGE = 20;

/** The List of Experiments (mounted under the project with read_ml and the flag checked). */
export const experimentRoutes = new Hono<AppEnv>();

experimentRoutes.get('/', async (c) => {
  const { project } = c.get('access');
  const after = c.req.query('after') || undefined;
  const list = await listExperimentsPage(c.get('db'), project.id, { limit: PER_PAGE, after });
  const self = experimentsPath(project);
  const results = () => (
    <div id="experiments" class="results">
      {list.items.length === 0 && !after ? (
        <EmptyState origin={new URL(c.req.url).origin} projectId={project.id} userId={c.get('actor')!.user.id} />
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="num">
                    Candidates
                  </th>
                  <th scope="col" class="hide-small">
                    Creator
                  </th>
                  <th scope="col">Last activity</th>
                  <th scope="col" class="hide-small">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((e) => (
                  <tr>
                    <td class="text">
                      <a href={experimentPath(project, e.iid)}>{e.name}</a>
                    </td>
                    <td class="num">{e.candidateCount}</td>
                    <td class="hide-small">{e.creator ?? <span class="muted">—</span>}</td>
                    <td>
                      <Time ms={e.lastActivity} />
                    </td>
                    <td class="hide-small">
                      <Time ms={e.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            {after ? (
              <SwapLink href={self} target="#experiments">
                ← Newest
              </SwapLink>
            ) : null}
            {list.next ? (
              <SwapLink href={`${self}?after=${encodeURIComponent(list.next)}`} target="#experiments" rel="next">
                Next page →
              </SwapLink>
            ) : null}
          </nav>
        </>
      )}
    </div>
  );
  return page(c, {
    title: `Experiments · ${project.name}`,
    crumbs: [
      { label: 'Projects', href: '/' },
      { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
      { label: 'Experiments' },
    ],
    fragment: results,
    body: (
      <section>
        <h1>Experiments</h1>
        {results()}
      </section>
    ),
  });
});

function EmptyState(props: { origin: string; projectId: number; userId: number }) {
  const uri = `${props.origin}/api/v4/projects/${props.projectId}/ml/mlflow`;
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
  const tokenCmd = `curl -X POST "${props.origin}/api/v4/users/${props.userId}/personal_access_tokens" \\\n  -H "PRIVATE-TOKEN: <a token you already have>" -H "content-type: application/json" \\\n  -d '{"name":"mlflow","scopes":["api"]}'`;
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
