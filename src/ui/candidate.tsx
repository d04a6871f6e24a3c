/**
 * Candidate Detail: `/:namespace/:project/-/ml/candidates/:candidate_id` — run id, status,
 * times, user, experiment, parent and children, source and CI job; params; metrics with a
 * chart each (points sampled on the server, drawn by uPlot); tags; datasets; artifacts.
 */
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import { NotFoundError } from '../errors';
import { getUser } from '../access/users';
import { getCandidate, getCandidateRun, NOTE_TAG, PARENT_RUN_TAG, type Run } from '../tracking/candidates';
import { relatedCandidates } from '../tracking/candidate-detail';
import { getExperimentHeader } from '../tracking/candidate-table';
import { Copyable, Status, Time } from './kit/components';
import { KeyValueTable } from './kit/tables';
import { candidateIdOf } from './route-params';
import { CHART_ASSETS } from './charts';
import { chartData, LiveMetrics, LiveStatus, loadLiveMetrics } from './live';
import { CandidateActions } from './candidate-forms';
import { formatDuration } from './format';
import { page } from './layout';
import { ArtifactBrowser, downloadArtifactsLine, loadArtifactView, wantsArtifactsFragment, type ArtifactOwner } from './artifacts';
import { resolveCandidatePackage } from '../packages/packages';
import { loggedModelsOfRun } from '../tracking/logged-models';
import { LoggedModelList } from './logged-models';
import { PromoteBox } from './model-version';
import { candidatePath, deletedCandidatePath, experimentPath, experimentsPath, projectPath, projectsPath } from './paths';
import type { Project } from '../access/policy';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';

/** The candidate's files, as its page browses them. */
function runFiles(project: Project, info: { candidateId: number; runId: string }): ArtifactOwner {
  return {
    page: candidatePath(project, info.candidateId),
    title: 'Files of this run',
    empty: 'No files logged. Log some with mlflow.log_artifact().',
    clientLine: (path) => downloadArtifactsLine({ run_id: info.runId, artifact_path: path }),
  };
}

const loadRunFiles = async (c: Context<AppEnv>, info: { candidateId: number; runId: string }) => {
  const { project } = c.get('access');
  return loadArtifactView(c, await resolveCandidatePackage(c.get('db'), project.id, info.candidateId), runFiles(project, info));
};

const CI_TAG = /^(gitlab\.CI_|ci\.|github\.|mlflow\.source\.git\.)/;
const SOURCE_TAGS = ['mlflow.source.name', 'mlflow.source.type', 'mlflow.source.git.commit', 'mlflow.source.git.branch', 'mlflow.source.git.repoURL'];

/** Only http(s) URLs become links (a tag value can hold anything, `javascript:` included). */
const safeUrl = (value: string) => (/^https?:\/\/[^\s]+$/i.test(value) ? value : undefined);

/** Candidate Detail and its chart data (mounted at `/:namespace/:project/-/ml/candidates`). */
export const candidateRoutes = handlers();

candidateRoutes.on(routes.ui.candidateMetrics, async (c) => {
  const { project } = c.get('access');
  const run = await getCandidateRun(c.get('db'), project.id, candidateIdOf(c));
  const key = c.req.query('key') ?? '';
  if (!run.metrics.some((m) => m.key === key)) throw new NotFoundError(`Metric ${key} not found`);
  c.header('Cache-Control', 'private, no-store');
  return c.json(await chartData(c.get('db'), project.id, run.info.runId, key));
});

candidateRoutes.on(routes.ui.candidate, async (c) => {
  const { project } = c.get('access');
  const db = c.get('db');
  const candidateId = candidateIdOf(c);
  // The artifact browser navigates on its own: htmx asks for just its section.
  if (wantsArtifactsFragment(c)) {
    const info = await getCandidate(db, project.id, candidateId);
    if (info.lifecycleStage !== 'active') throw new NotFoundError(`Candidate ${candidateId} not found`);
    const view = await loadRunFiles(c, info);
    return page(c, { title: 'Artifacts', crumbs: [], body: null, fragment: () => <ArtifactBrowser view={view} /> });
  }
  const run: Run = await getCandidateRun(db, project.id, candidateId);
  if (run.info.lifecycleStage !== 'active') return c.redirect(deletedCandidatePath(project, run.info.candidateId), 303);
  const info = run.info;
  const tags = new Map(run.tags.map((t) => [t.key, t.value]));
  const [live, related, owner, experiment, artifacts, models] = await Promise.all([
    loadLiveMetrics(db, project.id, info),
    relatedCandidates(db, { projectId: project.id, experimentId: info.experimentId, runId: info.runId }, tags.get(PARENT_RUN_TAG)),
    info.userId === null ? null : getUser(db, info.userId).catch(() => null),
    getExperimentHeader(db, project.id, info.experimentIid).catch(() => null),
    loadRunFiles(c, info),
    loggedModelsOfRun(db, info.experimentId, info.runId, run.modelOutputs.map((m) => m.modelId)),
  ]);
  const experimentName = experiment?.name ?? `Experiment ${info.experimentIid}`;
  const ciTags = run.tags.filter((t) => CI_TAG.test(t.key) && !SOURCE_TAGS.includes(t.key));
  const jobUrl = safeUrl(tags.get('gitlab.CI_JOB_URL') ?? '');

  return page(c, {
    title: `${info.name || info.runId} · Candidate`,
    crumbs: [
      { label: 'Projects', href: projectsPath() },
      { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
      { label: 'Experiments', href: experimentsPath(project) },
      { label: experimentName, href: experimentPath(project, info.experimentIid) },
      { label: info.name || info.runId },
    ],
    scripts: CHART_ASSETS.scripts,
    styles: [...CHART_ASSETS.styles, '/assets/pages.css'],
    body: (
      <article class="candidate" id="candidate">
        <h1>{info.name || info.runId}</h1>
        <CandidateActions c={c} info={info} note={tags.get(NOTE_TAG)} />
        <div class="grid2">
          <section class="card" aria-labelledby="about">
            <h2 id="about">Candidate</h2>
            <dl class="facts">
              <dt>Run id</dt>
              <dd>
                <Copyable id="run-id" text={info.runId} />
              </dd>
              <dt>Status</dt>
              <dd>
                <LiveStatus info={info} />
              </dd>
              <dt>Started</dt>
              <dd>
                <Time ms={info.startTime} />
              </dd>
              <dt>Ended</dt>
              <dd id="candidate-ended">
                <Time ms={info.endTime} />
              </dd>
              <dt>Duration</dt>
              <dd id="candidate-duration">{info.endTime != null ? formatDuration(info.endTime - info.startTime) : <span class="muted">{info.status === 'RUNNING' ? 'still running' : '—'}</span>}</dd>
              <dt>User</dt>
              <dd>
                {info.mlflowUser || <span class="muted">—</span>}
                {owner && owner.username !== info.mlflowUser ? <span class="muted"> (logged by {owner.username})</span> : null}
              </dd>
              <dt>Experiment</dt>
              <dd>
                <a href={experimentPath(project, info.experimentIid)}>{experimentName}</a>
              </dd>
              <dt>Parent</dt>
              <dd>
                {related.parent ? (
                  <a href={candidatePath(project, related.parent.id)}>{related.parent.name || related.parent.runId}</a>
                ) : tags.get(PARENT_RUN_TAG) ? (
                  <code>{tags.get(PARENT_RUN_TAG)}</code>
                ) : (
                  <span class="muted">none</span>
                )}
              </dd>
              <dt>Children</dt>
              <dd>
                {related.children.length === 0 ? (
                  <span class="muted">none</span>
                ) : (
                  <ul class="inline-list">
                    {related.children.map((child) => (
                      <li>
                        <a href={candidatePath(project, child.id)}>{child.name || child.runId}</a> <Status status={child.status} />
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
              <dt>Source</dt>
              <dd>
                {tags.get('mlflow.source.name') ? (
                  <>
                    <code>{tags.get('mlflow.source.name')}</code>
                    {tags.get('mlflow.source.type') ? <span class="muted"> ({tags.get('mlflow.source.type')})</span> : null}
                    {tags.get('mlflow.source.git.commit') ? (
                      <>
                        {' '}
                        at <code>{tags.get('mlflow.source.git.commit')!.slice(0, 12)}</code>
                      </>
                    ) : null}
                  </>
                ) : (
                  <span class="muted">—</span>
                )}
              </dd>
              <dt>Files</dt>
              <dd>{artifacts.pkg ? <a href="#artifacts">Files of this run</a> : <span class="muted">no files logged</span>}</dd>
              <dt>Logged models</dt>
              <dd>{models.length ? <a href="#logged-models">{models.length === 1 ? models[0].name : `${models.length} models`}</a> : <span class="muted">none</span>}</dd>
              {tags.has('gitlab.CI_JOB_ID') || ciTags.length > 0 ? (
                <>
                  <dt>CI job</dt>
                  <dd>
                    {jobUrl ? (
                      <a href={jobUrl} rel="noopener noreferrer">
                        Job {tags.get('gitlab.CI_JOB_ID') ?? jobUrl}
                      </a>
                    ) : tags.has('gitlab.CI_JOB_ID') ? (
                      <>Job {tags.get('gitlab.CI_JOB_ID')}</>
                    ) : null}
                    {ciTags
                      .filter((t) => t.key !== 'gitlab.CI_JOB_ID' && t.key !== 'gitlab.CI_JOB_URL')
                      .map((t) => (
                        <div class="muted">
                          {t.key}: {safeUrl(t.value) ? <a href={safeUrl(t.value)} rel="noopener noreferrer">{t.value}</a> : t.value}
                        </div>
                      ))}
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
          <section class="card" aria-labelledby="params">
            <h2 id="params">Parameters</h2>
            <KeyValueTable rows={run.params} keyHeading="Name" empty="No parameters logged." />
          </section>
        </div>

        <PromoteBox c={c} candidateId={info.candidateId} />

        <LiveMetrics project={project} data={live} />

        <div class="grid2">
          <section aria-labelledby="tags">
            <h2 id="tags">Tags</h2>
            <KeyValueTable rows={run.tags} keyHeading="Key" empty="No tags." />
          </section>
          <section aria-labelledby="datasets">
            <h2 id="datasets">Datasets</h2>
            {run.datasetInputs.length === 0 ? (
              <p class="empty">No datasets logged.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Context</th>
                      <th scope="col">Digest</th>
                      <th scope="col">Source</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.datasetInputs.map((d) => (
                      <tr>
                        <td class="text">{d.dataset.name}</td>
                        <td class="text">{d.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? <span class="muted">—</span>}</td>
                        <td>
                          <code>{d.dataset.digest}</code>
                        </td>
                        <td class="text">
                          <span class="muted">{d.dataset.sourceType}</span> {d.dataset.source}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>

        {models.length ? <LoggedModelList project={project} models={models} /> : null}

        <ArtifactBrowser view={artifacts} />
      </article>
    ),
  });
});
