/**
 * MLflow 3 logged models in the UI: a page per model `/:namespace/:project/-/ml/logged-models/:model_id`
 * (its run, params, metrics, tags, the flavors, signature and input example of its MLmodel,
 * its files, the model versions registered from it), and the list of models shown on a run's
 * and an experiment's page.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { Project } from '../access/policy';
import { getCandidateByRunId } from '../tracking/candidates';
import { getLoggedModel, type LoggedModel } from '../tracking/logged-models';
import { readMlModel, type MlModel, type SignatureField } from '../tracking/mlmodel';
import { versionsOfLoggedModel } from '../tracking/registry/promotion';
import { getExperimentHeader } from '../tracking/candidate-table';
import { resolveLoggedModelPackage, type Package } from '../packages/packages';
import { loggedModelArtifactUri } from '../http/artifact-uris';
import { NotFoundError } from '../errors';
import { Copyable, Num, Time } from './kit/components';
import { DataTable, KeyValueTable, VersionLinks } from './kit/tables';
import { page } from './layout';
import { ArtifactBrowser, downloadArtifactsLine, loadArtifactView, wantsArtifactsFragment, type ArtifactOwner } from './artifacts';
import { candidatePath, experimentPath, loggedModelPath } from './paths';
import { experimentsCrumbs } from './kit/crumbs';

const STATUS_WORDS: Record<string, string> = {
  LOGGED_MODEL_PENDING: 'uploading',
  LOGGED_MODEL_READY: 'ready',
  LOGGED_MODEL_UPLOAD_FAILED: 'upload failed',
};

/** A logged model's status in words, as a badge. */
export function ModelStatus(props: { status: string }) {
  const word = STATUS_WORDS[props.status] ?? props.status;
  return <span class={`status status-${props.status === 'LOGGED_MODEL_READY' ? 'FINISHED' : props.status === 'LOGGED_MODEL_PENDING' ? 'RUNNING' : 'FAILED'}`}>{word}</span>;
}

/** The list of logged models on a run's or an experiment's page (`#logged-models`). */
export function LoggedModelList(props: { project: Project; models: LoggedModel[]; runs?: Map<string, { id: number; name: string }> }) {
  return (
    <section id="logged-models" aria-labelledby="logged-models-title">
      <h2 id="logged-models-title">Logged models</h2>
      {props.models.length === 0 ? (
        <p class="empty">No models logged. Log one with a flavor's <code>log_model()</code>.</p>
      ) : (
        <DataTable columns={['Model', 'Status', 'Type', !!props.runs && 'Run', 'Created']}>
          {props.models.map((m) => {
            const run = m.sourceRunId ? props.runs?.get(m.sourceRunId) : undefined;
            return (
              <tr>
                <td class="text">
                  <a href={loggedModelPath(props.project, m.id)}>{m.name}</a>
                </td>
                <td>
                  <ModelStatus status={m.status} />
                </td>
                <td class="text">{m.modelType ?? <span class="muted">—</span>}</td>
                {props.runs ? <td class="text">{run ? <a href={candidatePath(props.project, run.id)}>{run.name}</a> : <span class="muted">—</span>}</td> : null}
                <td>
                  <Time ms={m.createdAt} />
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}

/** A signature part as a table: name, type, required. */
function SignatureTable(props: { id: string; title: string; fields: SignatureField[] | null }) {
  if (!props.fields) return null;
  return (
    <div class="table-wrap">
      <table id={props.id} aria-label={props.title}>
        <caption class="muted">{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
          </tr>
        </thead>
        <tbody>
          {props.fields.map((f) => (
            <tr>
              <td class="text">{f.name ?? <span class="muted">(unnamed)</span>}</td>
              <td class="text">
                <code>{f.type}</code>
              </td>
              <td>{f.required ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The flavors, signature and input example an MLmodel file describes. */
export function MlModelSection(props: { mlmodel: MlModel | null }) {
  const m = props.mlmodel;
  return (
    <section id="mlmodel" aria-labelledby="mlmodel-title" class="card">
      <h2 id="mlmodel-title">Signature and flavors</h2>
      {!m ? (
        <p class="empty">No MLmodel file: the model's files were not uploaded, or it was not logged with a flavor.</p>
      ) : (
        <>
          <p>
            <span class="muted">Flavors:</span>{' '}
            {m.flavors.length ? (
              m.flavors.map((f, i) => (
                <>
                  {i ? ', ' : ''}
                  <code class="flavor">{f.name}</code>
                  {f.version ? <span class="muted"> {f.version}</span> : null}
                </>
              ))
            ) : (
              <span class="muted">none</span>
            )}
            {m.mlflowVersion ? <span class="muted"> · MLflow {m.mlflowVersion}</span> : null}
          </p>
          {m.signature ? (
            <div class="grid2 signature">
              <SignatureTable id="signature-inputs" title="Inputs" fields={m.signature.inputs} />
              <SignatureTable id="signature-outputs" title="Outputs" fields={m.signature.outputs} />
              <SignatureTable id="signature-params" title="Parameters at inference" fields={m.signature.params} />
            </div>
          ) : (
            <p class="empty">No signature logged (pass <code>signature=</code> or <code>input_example=</code> to <code>log_model()</code>).</p>
          )}
          {m.inputExample ? (
            <>
              <h3>
                Input example <span class="muted">({m.inputExample.path})</span>
              </h3>
              <pre class="preview" id="input-example">
                {m.inputExample.text}
              </pre>
              {m.inputExample.truncated ? <p class="muted">Only the beginning is shown.</p> : null}
            </>
          ) : null}
        </>
      )}
    </section>
  );
}

/** A logged model's files, as its page browses them. */
function modelFiles(c: Context<AppEnv>, project: Project, model: LoggedModel): ArtifactOwner {
  const uri = loggedModelArtifactUri(new URL(c.req.url).origin, project.id, model.seq);
  return {
    page: loggedModelPath(project, model.id),
    title: 'Files of this model',
    empty: 'No files uploaded for this model yet.',
    clientLine: (path) => downloadArtifactsLine({ artifact_uri: `${uri}/${path}` }),
  };
}

/** Everything a logged model's page shows: its experiment, its run, the versions registered from it, its MLmodel, its files. */
async function loadLoggedModel(c: Context<AppEnv>, model: LoggedModel, pkg: Package | undefined) {
  const { project } = c.get('access');
  const db = c.get('db');
  const [experiment, run, versions, mlmodel, files] = await Promise.all([
    getExperimentHeader(db, project.id, model.experimentIid).catch(() => null),
    model.sourceRunId ? getCandidateByRunId(db, project.id, model.sourceRunId).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e))) : null,
    versionsOfLoggedModel(db, project.id, model.id),
    readMlModel(db, c.env.ARTIFACTS, pkg, ''),
    loadArtifactView(c, pkg, modelFiles(c, project, model)),
  ]);
  return { model, experimentName: experiment?.name ?? `Experiment ${model.experimentIid}`, run, versions, mlmodel, files };
}

/** What a logged model's page shows. */
type LoadedModel = Awaited<ReturnType<typeof loadLoggedModel>>;

/** A logged model's page (read_ml and the flag checked by its declaration). */
export const loggedModelRoutes = handlers();

loggedModelRoutes.on(routes.ui.loggedModel, async (c) => {
  const { project } = c.get('access');
  const model = await getLoggedModel(c.get('db'), project.id, c.req.param('model_id'));
  const pkg = await resolveLoggedModelPackage(c.get('db'), project.id, model.seq);
  if (wantsArtifactsFragment(c)) {
    const view = await loadArtifactView(c, pkg, modelFiles(c, project, model));
    return page(c, { title: 'Files', crumbs: [], body: null, fragment: () => <ArtifactBrowser view={view} /> });
  }
  const loaded = await loadLoggedModel(c, model, pkg);
  return page(c, {
    title: `${model.name} · Logged model`,
    styles: ['/assets/pages.css'],
    crumbs: experimentsCrumbs(project, { label: loaded.experimentName, href: experimentPath(project, model.experimentIid) }, { label: model.name }),
    body: <LoggedModelPage project={project} loaded={loaded} />,
  });
});

function LoggedModelPage(props: { project: Project; loaded: LoadedModel }) {
  const { project, loaded } = props;
  const { model } = loaded;
  return (
    <article class="logged-model">
      <h1>
        {model.name} <span class="muted">logged model</span>
      </h1>
      <div class="grid2">
        <section class="card" aria-labelledby="about">
          <h2 id="about">Model</h2>
          <ModelFacts project={project} loaded={loaded} />
        </section>
        <section class="card" aria-labelledby="params">
          <h2 id="params">Parameters</h2>
          <KeyValueTable rows={model.params} keyHeading="Name" empty="No parameters logged." />
        </section>
      </div>
      <MlModelSection mlmodel={loaded.mlmodel} />
      <section aria-labelledby="metrics">
        <h2 id="metrics">Metrics</h2>
        <ModelMetrics metrics={model.metrics} />
      </section>
      <section aria-labelledby="tags">
        <h2 id="tags">Tags</h2>
        <KeyValueTable rows={model.tags} keyHeading="Key" empty="No tags." />
      </section>
      <ArtifactBrowser view={loaded.files} />
    </article>
  );
}

/** Id, status, run, experiment, type, created, the versions registered from it, and how to load it. */
function ModelFacts(props: { project: Project; loaded: LoadedModel }) {
  const { project } = props;
  const { model, run, versions } = props.loaded;
  return (
    <dl class="facts">
      <dt>Model id</dt>
      <dd>
        <Copyable id="model-id" text={model.id} />
      </dd>
      <dt>Status</dt>
      <dd>
        <ModelStatus status={model.status} />
        {model.statusMessage ? <span class="muted"> {model.statusMessage}</span> : null}
      </dd>
      <dt>Run</dt>
      <dd id="source-run">
        {run ? <a href={candidatePath(project, run.candidateId)}>{run.name || run.runId}</a> : model.sourceRunId ? <code>{model.sourceRunId}</code> : <span class="muted">none</span>}
      </dd>
      <dt>Experiment</dt>
      <dd>
        <a href={experimentPath(project, model.experimentIid)}>{props.loaded.experimentName}</a>
      </dd>
      <dt>Type</dt>
      <dd>{model.modelType ?? <span class="muted">—</span>}</dd>
      <dt>Created</dt>
      <dd>
        <Time ms={model.createdAt} />
      </dd>
      <dt>Registered as</dt>
      <dd id="registered-versions">
        <VersionLinks project={project} versions={versions} empty={<span class="muted">not registered</span>} />
      </dd>
      <dt>Load it with</dt>
      <dd>
        <Copyable id="model-uri" text={`mlflow.pyfunc.load_model("models:/${model.id}")`} />
      </dd>
    </dl>
  );
}

/** A logged model's metrics: name, value, step, dataset. */
function ModelMetrics(props: { metrics: LoggedModel['metrics'] }) {
  if (props.metrics.length === 0) return <p class="empty">No metrics logged to this model.</p>;
  return (
    <DataTable columns={['Name', { label: 'Value', class: 'num' }, { label: 'Step', class: 'num' }, 'Dataset']}>
      {props.metrics.map((m) => (
        <tr>
          <td class="text">{m.key}</td>
          <td class="num">
            <Num value={m.value} />
          </td>
          <td class="num">{m.step}</td>
          <td class="text">{m.datasetName ?? <span class="muted">—</span>}</td>
        </tr>
      ))}
    </DataTable>
  );
}
