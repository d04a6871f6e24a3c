/**
 * Candidate Detail: `/:namespace/:project/-/ml/candidates/:candidate_id` — run id, status,
 * times, user, experiment, parent and children, source and CI job; params; metrics with a
 * chart each (points sampled on the server, drawn by uPlot); tags; datasets; logged models;
 * the run's files. Written load → page: `loadCandidateDetail` reads it all, `CandidatePage` draws it.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import type { Project } from '../access/policy';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import { NotFoundError } from '../errors';
import { getUser } from '../access/users';
import { getCandidate, getCandidateRun, NOTE_TAG, PARENT_RUN_TAG, type Run, type RunInfo } from '../tracking/candidates';
import { relatedCandidates } from '../tracking/candidate-detail';
import { getExperimentHeader } from '../tracking/candidate-table';
import { loggedModelsOfRun } from '../tracking/logged-models';
import { versionsOfCandidate } from '../tracking/registry/promotion';
import { resolveCandidatePackage } from '../packages/packages';
import { Copyable, Status, Time } from './kit/components';
import { experimentsCrumbs } from './kit/crumbs';
import { DataTable, KeyValueTable } from './kit/tables';
import { candidateIdOf } from './route-params';
import { CHART_ASSETS } from './charts';
import { chartData, LiveMetrics, LiveStatus, loadLiveMetrics } from './live';
import { CandidateActions } from './candidate-forms';
import { formatDuration } from './format';
import { page } from './layout';
import { ArtifactBrowser, downloadArtifactsLine, loadArtifactView, wantsArtifactsFragment, type ArtifactOwner } from './artifacts';
import { LoggedModelList } from './logged-models';
import { PromoteBox } from './model-version';
import { candidatePath, deletedCandidatePath, experimentPath } from './paths';

const CI_TAG = /^(gitlab\.CI_|ci\.|github\.|mlflow\.source\.git\.)/;
const SOURCE_TAGS = ['mlflow.source.name', 'mlflow.source.type', 'mlflow.source.git.commit', 'mlflow.source.git.branch', 'mlflow.source.git.repoURL'];

/** Only http(s) URLs become links (a tag value can hold anything, `javascript:` included). */
const safeUrl = (value: string) => (/^https?:\/\/[^\s]+$/i.test(value) ? value : undefined);

/** The candidate's files, as its page browses them. */
function runFiles(project: Project, info: Pick<RunInfo, 'candidateId' | 'runId'>): ArtifactOwner {
  return {
    page: candidatePath(project, info.candidateId),
    title: 'Files of this run',
    empty: 'No files logged. Log some with mlflow.log_artifact().',
    clientLine: (path) => downloadArtifactsLine({ run_id: info.runId, artifact_path: path }),
  };
}

/** The file browser of the candidate's package (its `?path=`/`?file=` state read from the request). */
async function loadRunFiles(c: Context<AppEnv>, info: Pick<RunInfo, 'candidateId' | 'runId'>) {
  const { project } = c.get('access');
  return loadArtifactView(c, await resolveCandidatePackage(c.get('db'), project.id, info.candidateId), runFiles(project, info));
}

/** Everything Candidate Detail shows, loaded at once. */
async function loadCandidateDetail(c: Context<AppEnv>, run: Run) {
  const { project } = c.get('access');
  const db = c.get('db');
  const info = run.info;
  const tags = new Map(run.tags.map((t) => [t.key, t.value]));
  const [live, related, owner, experiment, artifacts, models, versions] = await Promise.all([
    loadLiveMetrics(db, project.id, info),
    relatedCandidates(db, { projectId: project.id, experimentId: info.experimentId, runId: info.runId }, tags.get(PARENT_RUN_TAG)),
    info.userId === null ? null : getUser(db, info.userId).catch(() => null),
    getExperimentHeader(db, project.id, info.experimentIid).catch(() => null),
    loadRunFiles(c, info),
    loggedModelsOfRun(db, info.experimentId, info.runId, run.modelOutputs.map((m) => m.modelId)),
    versionsOfCandidate(db, info.candidateId),
  ]);
  return { run, tags, live, related, owner, experimentName: experiment?.name ?? `Experiment ${info.experimentIid}`, artifacts, models, versions };
}

/** What Candidate Detail shows. */
type Detail = Awaited<ReturnType<typeof loadCandidateDetail>>;

/** Candidate Detail and its chart data. */
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
  const candidateId = candidateIdOf(c);
  // The artifact browser navigates on its own: htmx asks for just its section.
  if (wantsArtifactsFragment(c)) {
    const info = await getCandidate(c.get('db'), project.id, candidateId);
    if (info.lifecycleStage !== 'active') throw new NotFoundError(`Candidate ${candidateId} not found`);
    const view = await loadRunFiles(c, info);
    return page(c, { title: 'Artifacts', crumbs: [], body: null, fragment: () => <ArtifactBrowser view={view} /> });
  }
  const run = await getCandidateRun(c.get('db'), project.id, candidateId);
  if (run.info.lifecycleStage !== 'active') return c.redirect(deletedCandidatePath(project, run.info.candidateId), 303);
  const d = await loadCandidateDetail(c, run);
  const info = run.info;
  return page(c, {
    title: `${info.name || info.runId} · Candidate`,
    crumbs: experimentsCrumbs(project, { label: d.experimentName, href: experimentPath(project, info.experimentIid) }, { label: info.name || info.runId }),
    scripts: CHART_ASSETS.scripts,
    styles: [...CHART_ASSETS.styles, '/assets/pages.css'],
    body: <CandidatePage c={c} d={d} />,
  });
});

function CandidatePage(props: { c: Context<AppEnv>; d: Detail }) {
  const { c, d } = props;
  const { project } = c.get('access');
  const { run } = d;
  return (
    <article class="candidate" id="candidate">
      <h1>{run.info.name || run.info.runId}</h1>
      <CandidateActions c={c} info={run.info} note={d.tags.get(NOTE_TAG)} />
      <div class="grid2">
        <section class="card" aria-labelledby="about">
          <h2 id="about">Candidate</h2>
          <CandidateFacts project={project} d={d} />
        </section>
        <section class="card" aria-labelledby="params">
          <h2 id="params">Parameters</h2>
          <KeyValueTable rows={run.params} keyHeading="Name" empty="No parameters logged." />
        </section>
      </div>

      <PromoteBox c={c} candidateId={run.info.candidateId} versions={d.versions} />

      <LiveMetrics project={project} data={d.live} />

      <div class="grid2">
        <section aria-labelledby="tags">
          <h2 id="tags">Tags</h2>
          <KeyValueTable rows={run.tags} keyHeading="Key" empty="No tags." />
        </section>
        <section aria-labelledby="datasets">
          <h2 id="datasets">Datasets</h2>
          <DatasetsTable inputs={run.datasetInputs} />
        </section>
      </div>

      {d.models.length ? <LoggedModelList project={project} models={d.models} /> : null}

      <ArtifactBrowser view={d.artifacts} />
    </article>
  );
}

/** Run id, status, times, user, experiment, parent and children, source, files, logged models and CI job. */
function CandidateFacts(props: { project: Project; d: Detail }) {
  const { project, d } = props;
  const info = d.run.info;
  return (
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
        {d.owner && d.owner.username !== info.mlflowUser ? <span class="muted"> (logged by {d.owner.username})</span> : null}
      </dd>
      <dt>Experiment</dt>
      <dd>
        <a href={experimentPath(project, info.experimentIid)}>{d.experimentName}</a>
      </dd>
      <RelatedFacts project={project} d={d} />
      <dt>Source</dt>
      <dd>
        <SourceFact tags={d.tags} />
      </dd>
      <dt>Files</dt>
      <dd>{d.artifacts.pkg ? <a href="#artifacts">Files of this run</a> : <span class="muted">no files logged</span>}</dd>
      <dt>Logged models</dt>
      <dd>{d.models.length ? <a href="#logged-models">{d.models.length === 1 ? d.models[0].name : `${d.models.length} models`}</a> : <span class="muted">none</span>}</dd>
      <CiJobFact run={d.run} tags={d.tags} />
    </dl>
  );
}

/** The parent (a link, or the run id its tag names) and the children with their status. */
function RelatedFacts(props: { project: Project; d: Detail }) {
  const { project } = props;
  const { related, tags } = props.d;
  return (
    <>
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
    </>
  );
}

/** The source the run came from (`mlflow.source.*`): name, type and commit. */
function SourceFact(props: { tags: Map<string, string> }) {
  const { tags } = props;
  if (!tags.get('mlflow.source.name')) return <span class="muted">—</span>;
  return (
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
  );
}

/** The CI job that logged the run (its link when the tag holds an http(s) URL) and the other CI tags. */
function CiJobFact(props: { run: Run; tags: Map<string, string> }) {
  const { tags } = props;
  const ciTags = props.run.tags.filter((t) => CI_TAG.test(t.key) && !SOURCE_TAGS.includes(t.key));
  if (!tags.has('gitlab.CI_JOB_ID') && ciTags.length === 0) return null;
  const jobUrl = safeUrl(tags.get('gitlab.CI_JOB_URL') ?? '');
  return (
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
  );
}

/** The datasets the run used: name, context, digest, source. */
function DatasetsTable(props: { inputs: Run['datasetInputs'] }) {
  if (props.inputs.length === 0) return <p class="empty">No datasets logged.</p>;
  return (
    <DataTable columns={['Name', 'Context', 'Digest', 'Source']}>
      {props.inputs.map((d) => (
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
    </DataTable>
  );
}
