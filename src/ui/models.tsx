/**
 * Model registry pages: the models list `/:namespace/:project/-/ml/models` (name, latest
 * version, aliases, last updated; search by name as you type; create) and a model's page
 * `.../models/:name` (description, tags, aliases, versions with their source candidates), with
 * the forms that edit them and delete the model after a confirmation. Reads and writes go
 * through the registry domain, as the MLflow API's do. Each page: view state → loader → page.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import type { Database } from '../db/client';
import { InvalidInputError } from '../errors';
import { quote } from '../tracking/search/lexer';
import { deleteRegisteredModelAlias, setRegisteredModelAlias } from '../tracking/registry/aliases';
import type { ModelVersion, RegisteredModel } from '../tracking/registry/entities';
import {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getRegisteredModel,
  setRegisteredModelTag,
  updateRegisteredModel,
} from '../tracking/registry/models';
import { searchModelVersions, searchRegisteredModels } from '../tracking/registry/search';
import { ActiveSearch, Num, Time } from './kit/components';
import { loadCandidateRows, type CandidateRow } from '../tracking/candidate-table';
import { confirmPage } from './kit/confirm';
import { modelsCrumbs, projectCrumbs } from './kit/crumbs';
import { DescriptionEditor } from './kit/description';
import { canWrite, Csrf, handleForm } from './kit/forms';
import { Pager } from './kit/pager';
import { FormError, typed, type Problem } from './kit/problems';
import { AliasesEditor, AliasLinks, DataTable, TagsEditor } from './kit/tables';
import { page } from './layout';
import { candidatePath, compareVersionsPath, modelPath, modelsPath, projectLink, versionPath, withQuery } from './paths';

const MODELS_PER_PAGE = 20;
const VERSIONS_PER_PAGE = 50;
/** The longest tag key and value the registry takes. */
export const REGISTRY_TAG_LIMITS = { key: 250, value: 5000 };

/** The newest version number a model has (across stages), if any. */
const latestVersion = (m: RegisteredModel) => (m.latestVersions.length ? Math.max(...m.latestVersions.map((v) => v.version)) : undefined);

/** The models list's state, all of it in the URL. */
type ListView = { name: string; sort?: 'updated'; pageToken?: string };

function readListView(c: Context<AppEnv>): ListView {
  return { name: (c.req.query('name') ?? '').slice(0, 256), sort: c.req.query('sort') === 'updated' ? 'updated' : undefined, pageToken: c.req.query('page_token') || undefined };
}

const loadModelList = (db: Database, projectId: number, view: ListView) =>
  searchRegisteredModels(db, projectId, {
    filter: view.name.trim() ? `name ILIKE ${quote(`%${view.name.trim()}%`)}` : undefined,
    orderBy: view.sort ? ['last_updated_timestamp DESC', 'name ASC'] : ['name ASC'],
    maxResults: MODELS_PER_PAGE,
    pageToken: view.pageToken,
  });

type ModelList = Awaited<ReturnType<typeof loadModelList>>;

/** The list and its pager (`#models`), also the fragment the search swaps. */
function ModelResults(props: { c: Context<AppEnv>; view: ListView; list: ModelList }) {
  const { view, list } = props;
  const { project } = props.c.get('access');
  const self = modelsPath(project);
  const query = { name: view.name, sort: view.sort };
  return (
    <div id="models" class="results" aria-live="polite">
      {list.models.length === 0 ? <p class="empty">{view.name ? 'No models match this name.' : 'No models registered yet. Promote a candidate from its page, or register one with the MLflow client.'}</p> : null}
      {list.models.length > 0 ? (
        <DataTable columns={['Name', { label: 'Latest version', class: 'num' }, 'Aliases', 'Last updated']} class="models">
          {list.models.map((m) => (
            <ModelRow c={props.c} model={m} />
          ))}
        </DataTable>
      ) : null}
      <Pager
        target="#models"
        back={view.pageToken ? { href: withQuery(self, query), label: '← First page' } : undefined}
        next={list.nextPageToken ? { href: withQuery(self, { ...query, page_token: list.nextPageToken }), label: 'Next page →' } : undefined}
      />
    </div>
  );
}

function ModelRow(props: { c: Context<AppEnv>; model: RegisteredModel }) {
  const { model: m } = props;
  const { project } = props.c.get('access');
  const latest = latestVersion(m);
  return (
    <tr>
      <td class="text">
        <a href={modelPath(project, m.name)}>{m.name}</a>
      </td>
      <td class="num">{latest !== undefined ? <a href={versionPath(project, m.name, latest)}>Version {latest}</a> : <span class="muted">—</span>}</td>
      <td>
        <AliasLinks project={project} model={m.name} aliases={m.aliases} />
      </td>
      <td>
        <Time ms={m.updatedAt} />
      </td>
    </tr>
  );
}

function ModelSearch(props: { action: string; view: ListView }) {
  const { view } = props;
  return (
    <ActiveSearch action={props.action} target="#models">
      <label class="grow">
        Search by name
        <input type="search" name="name" value={view.name} placeholder="Model name contains…" autocomplete="off" />
      </label>
      <label>
        Sort by
        <select name="sort">
          <option value="" selected={!view.sort}>
            Name
          </option>
          <option value="updated" selected={view.sort === 'updated'}>
            Last updated
          </option>
        </select>
      </label>
      <button type="submit">Search</button>
    </ActiveSearch>
  );
}

/** "New model", for a writer (problem form `create`). */
function CreateModelForm(props: { c: Context<AppEnv>; problem?: Problem }) {
  const { c, problem } = props;
  if (!canWrite(c)) return null;
  return (
    <details class="card" open={problem?.form === 'create'}>
      <summary>New model</summary>
      <form method="post" action={modelsPath(c.get('access').project)} class="stack" id="create-form">
        <Csrf c={c} />
        <FormError problem={problem} form="create" id="create-error" />
        <label>
          Name
          <input name="name" required maxlength={256} value={typed(problem, 'create', 'name')} />
        </label>
        <label>
          Description
          <textarea name="description" rows={3} maxlength={5000}>
            {typed(problem, 'create', 'description')}
          </textarea>
        </label>
        <div>
          <button type="submit">Create model</button>
        </div>
      </form>
    </details>
  );
}

async function listPage(c: Context<AppEnv>, problem?: Problem) {
  const { project } = c.get('access');
  const view = readListView(c);
  const list = await loadModelList(c.get('db'), project.id, view);
  const results = () => <ModelResults c={c} view={view} list={list} />;
  return page(c, {
    title: 'Models',
    status: problem?.status,
    styles: ['/assets/ml.css'],
    crumbs: projectCrumbs(project, { label: 'Models' }),
    fragment: results,
    body: (
      <section>
        <h1>Models</h1>
        <ModelSearch action={modelsPath(project)} view={view} />
        {results()}
        <CreateModelForm c={c} problem={problem} />
      </section>
    ),
  });
}

/** The models routes (routes declared in `routes.ui`). */
export const modelRoutes = handlers();

modelRoutes.on(routes.ui.models, (c) => listPage(c));

modelRoutes.on(routes.ui.createModel, (c) =>
  handleForm(
    c,
    'create',
    async (f) => {
      const { project } = c.get('access');
      const model = await createRegisteredModel(c.get('db'), project.id, { name: f.name ?? '', description: f.description || undefined, userId: c.get('actor')!.user.id });
      return modelPath(project, model.name);
    },
    (problem) => listPage(c, problem),
  ),
);

const modelName = (c: Context<AppEnv>) => c.req.param('name') ?? '';

/** A model, one page of its versions, newest first (`page_token` in the URL), and their source candidates. */
async function loadModel(c: Context<AppEnv>) {
  const { project } = c.get('access');
  const db = c.get('db');
  const model = await getRegisteredModel(db, project.id, modelName(c));
  const pageToken = c.req.query('page_token') || undefined;
  const versions = await searchModelVersions(db, project.id, { filter: `name = ${quote(model.name)}`, orderBy: ['version_number DESC'], maxResults: VERSIONS_PER_PAGE, pageToken });
  const sourceRows = await loadCandidateRows(db, [...new Set(versions.versions.flatMap((v) => (v.candidateId === null ? [] : [v.candidateId])))]);
  return { model, versions, pageToken, sources: new Map<number, CandidateRow>(sourceRows.map((r) => [r.id, r])) };
}

type LoadedModel = Awaited<ReturnType<typeof loadModel>>;

async function modelPage(c: Context<AppEnv>, problem?: Problem) {
  const { project } = c.get('access');
  const loaded = await loadModel(c);
  const { model } = loaded;
  return page(c, {
    title: `${model.name} · Models`,
    status: problem?.status,
    crumbs: modelsCrumbs(project, { label: model.name }),
    styles: ['/assets/ml.css', '/assets/pages.css'],
    body: (
      <article class="model">
        <h1>{model.name}</h1>
        <p class="muted">
          Created <Time ms={model.createdAt} /> · last updated <Time ms={model.updatedAt} />
          {canWrite(c) ? (
            <>
              {' '}
              · <a href={projectLink(routes.ui.deleteModelConfirm, project, { name: model.name })}>Delete model…</a>
            </>
          ) : null}
        </p>
        <DescriptionEditor c={c} description={model.description} action={projectLink(routes.ui.describeModel, project, { name: model.name })} problem={problem} />
        <VersionsSection c={c} loaded={loaded} />
        <AliasesEditor c={c} project={project} model={model.name} aliases={model.aliases} action={projectLink(routes.ui.setModelAlias, project, { name: model.name })} problem={problem} suggested={latestVersion(model)} />
        <TagsEditor c={c} tags={model.tags} action={projectLink(routes.ui.setModelTag, project, { name: model.name })} problem={problem} limits={REGISTRY_TAG_LIMITS} />
      </article>
    ),
  });
}

function VersionsSection(props: { c: Context<AppEnv>; loaded: LoadedModel }) {
  const { model, versions, pageToken, sources } = props.loaded;
  const self = modelPath(props.c.get('access').project, model.name);
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      {versions.versions.length === 0 ? <p class="empty">No versions yet. Promote a candidate from its page to make one.</p> : <VersionsTable c={props.c} model={model.name} versions={versions.versions} sources={sources} />}
      <Pager
        back={pageToken ? { href: self, label: '← Newest versions' } : undefined}
        next={versions.nextPageToken ? { href: withQuery(self, { page_token: versions.nextPageToken }), label: 'Older versions →' } : undefined}
      />
    </section>
  );
}

/** How many metrics of a version's source candidate its row shows. */
const ROW_METRICS = 3;

/**
 * A model's versions: number, aliases, stage, source candidate by name with its key metrics,
 * created; tick two or more to compare them side by side.
 */
function VersionsTable(props: { c: Context<AppEnv>; model: string; versions: ModelVersion[]; sources: Map<number, CandidateRow> }) {
  const { project } = props.c.get('access');
  const formId = 'compare-versions';
  return (
    <>
      <form id={formId} method="get" action={compareVersionsPath(project, props.model, [])} class="toolbar">
        <button type="submit" class="secondary">
          Compare selected versions
        </button>
      </form>
      <DataTable columns={[{ label: <span class="visually-hidden">Compare</span>, class: 'pick-col' }, 'Version', 'Aliases', { label: 'Stage', class: 'hide-small' }, 'Source candidate', 'Created']} class="versions">
        {props.versions.map((v) => {
          const source = v.candidateId !== null ? props.sources.get(v.candidateId) : undefined;
          return (
            <tr>
              <td class="pick-col">
                <input type="checkbox" name="versions" value={String(v.version)} form={formId} aria-label={`Compare version ${v.version}`} />
              </td>
              <td>
                <a href={versionPath(project, v.name, v.version)}>Version {v.version}</a>
              </td>
              <td>{v.aliases.length ? v.aliases.map((a) => <span class="alias">@{a} </span>) : <span class="muted">—</span>}</td>
              <td class="hide-small">{v.currentStage === 'None' ? <span class="muted">—</span> : <span class={`stage stage-${v.currentStage}`}>{v.currentStage}</span>}</td>
              <td class="text">
                {v.candidateId !== null ? <a href={candidatePath(project, v.candidateId)}>{source ? source.name || source.runId : `Candidate ${v.candidateId}`}</a> : <span class="muted">—</span>}
                {source && source.metrics.size ? (
                  <ul class="key-metrics">
                    {[...source.metrics]
                      .sort(([a], [b]) => a.localeCompare(b))
                      .slice(0, ROW_METRICS)
                      .map(([key, value]) => (
                        <li>
                          <span class="muted">{key}</span> <Num value={value} />
                        </li>
                      ))}
                  </ul>
                ) : null}
              </td>
              <td>
                <Time ms={v.createdAt} />
              </td>
            </tr>
          );
        })}
      </DataTable>
    </>
  );
}

modelRoutes.on(routes.ui.model, (c) => modelPage(c));

/**
 * A form of the model in the path: `act` calls the domain, then the model's page (at `anchor`)
 * is shown; a refusal draws the model's page again with the problem at `form`.
 */
const modelForm =
  (form: string, act: (c: Context<AppEnv>, f: Record<string, string>) => Promise<unknown>, anchor = '', missingIsFixable = false) =>
  (c: Context<AppEnv>) =>
    handleForm(
      c,
      form,
      async (f) => {
        await act(c, f);
        return `${modelPath(c.get('access').project, modelName(c))}${anchor}`;
      },
      (problem) => modelPage(c, problem),
      { missingIsFixable },
    );

const projectId = (c: Context<AppEnv>) => c.get('access').project.id;

modelRoutes.on(
  routes.ui.describeModel,
  modelForm('description', (c, f) => updateRegisteredModel(c.get('db'), projectId(c), modelName(c), f.description ?? '')),
);
modelRoutes.on(
  routes.ui.setModelTag,
  modelForm('tag', (c, f) => setRegisteredModelTag(c.get('db'), projectId(c), modelName(c), { key: f.key ?? '', value: f.value ?? '' }), '#tags-title'),
);
modelRoutes.on(
  routes.ui.deleteModelTag,
  modelForm('tag', (c, f) => deleteRegisteredModelTag(c.get('db'), projectId(c), modelName(c), f.key ?? ''), '#tags-title'),
);
modelRoutes.on(
  routes.ui.setModelAlias,
  modelForm(
    'alias',
    async (c, f) => {
      if (!f.version) throw new InvalidInputError('Pick the version the alias points at.', 'version');
      await setRegisteredModelAlias(c.get('db'), projectId(c), modelName(c), f.alias ?? '', f.version);
    },
    '#aliases-title',
    true,
  ),
);
modelRoutes.on(
  routes.ui.deleteModelAlias,
  modelForm('alias', (c, f) => deleteRegisteredModelAlias(c.get('db'), projectId(c), modelName(c), f.alias ?? ''), '#aliases-title', true),
);

modelRoutes.on(routes.ui.deleteModelConfirm, async (c) => {
  const { project } = c.get('access');
  const model = await getRegisteredModel(c.get('db'), project.id, modelName(c));
  return confirmPage(c, {
    title: 'Delete model',
    what: model.name,
    consequence: 'Its versions, aliases and tags go with it; the candidates they came from stay.',
    action: projectLink(routes.ui.deleteModel, project, { name: model.name }),
    cancel: modelPath(project, model.name),
    crumbs: modelsCrumbs(project, { label: model.name, href: modelPath(project, model.name) }, { label: 'Delete' }),
  });
});

modelRoutes.on(routes.ui.deleteModel, (c) =>
  handleForm(
    c,
    'delete',
    async () => {
      const { project } = c.get('access');
      await deleteRegisteredModel(c.get('db'), project.id, modelName(c));
      return modelsPath(project);
    },
    (problem) => modelPage(c, problem),
  ),
);
