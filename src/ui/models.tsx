/**
 * Model registry pages: the models list `/:namespace/:project/-/ml/models` (name, latest
 * version, aliases, last updated; search by name as you type; create) and a model's page
 * `.../models/:name` (description, tags, aliases, versions with their source candidates), with
 * the forms that edit them and delete the model after a confirmation. Reads and writes go
 * through the registry domain, as the MLflow API's do.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { requireAbility } from '../access/middleware';
import { InvalidInputError } from '../errors';
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
import { ActiveSearch, Num, SwapLink, Time } from './components';
import { loadCandidateRows, type CandidateRow } from '../tracking/candidate-table';
import { compareVersionsPath } from './version-compare';
import { Markdown } from './markdown';
import { page } from './layout';
import { candidatePath, projectPath } from './paths';
import { canWrite, Csrf, FormError, handleForm, modelPath, modelsPath, typed, versionPath, withQuery, type Problem } from './registry-forms';

const MODELS_PER_PAGE = 20;
const VERSIONS_PER_PAGE = 50;

/** A string literal of the search filter language. */
const quote = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/** The newest version number a model has (across stages), if any. */
const latestVersion = (m: RegisteredModel) => (m.latestVersions.length ? Math.max(...m.latestVersions.map((v) => v.version)) : undefined);

const crumbs = (c: Context<AppEnv>, ...rest: { label: string; href?: string }[]) => {
  const { project } = c.get('access');
  return [
    { label: 'Projects', href: '/' },
    { label: `${project.namespace} / ${project.name}`, href: projectPath(project) },
    { label: 'Models', href: modelsPath(project) },
    ...rest,
  ];
};

/** Tags as a table, with remove buttons and an add form for those who may write. */
export function TagsEditor(props: { c: Context<AppEnv>; tags: { key: string; value: string }[]; action: string; problem?: Problem }) {
  const write = canWrite(props.c);
  return (
    <section aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {props.tags.length === 0 ? <p class="empty">No tags.</p> : null}
      {props.tags.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                {write ? <th scope="col">Remove</th> : null}
              </tr>
            </thead>
            <tbody>
              {props.tags.map((t) => (
                <tr>
                  <td class="text">{t.key}</td>
                  <td class="text">{t.value}</td>
                  {write ? (
                    <td>
                      <form method="post" action={`${props.action}/delete`}>
                        <Csrf c={props.c} />
                        <input type="hidden" name="key" value={t.key} />
                        <button type="submit" class="link" aria-label={`Remove tag ${t.key}`}>
                          Remove
                        </button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {write ? (
        <form method="post" action={props.action} class="toolbar" id="tag-form">
          <Csrf c={props.c} />
          <FormError problem={props.problem} form="tag" />
          <label>
            Key
            <input name="key" required maxlength={250} value={typed(props.problem, 'tag', 'key')} />
          </label>
          <label class="grow">
            Value
            <input name="value" maxlength={5000} value={typed(props.problem, 'tag', 'value')} />
          </label>
          <button type="submit">Set tag</button>
        </form>
      ) : null}
    </section>
  );
}

/** The description, with an edit form for those who may write. */
export function DescriptionEditor(props: { c: Context<AppEnv>; description: string; action: string; problem?: Problem }) {
  const write = canWrite(props.c);
  return (
    <section aria-labelledby="description-title">
      <h2 id="description-title">Description</h2>
      {props.description ? <Markdown text={props.description} id="description-text" /> : null}
      {write ? (
        <form method="post" action={props.action} class="stack" id="description-form">
          <Csrf c={props.c} />
          <FormError problem={props.problem} form="description" />
          <label>
            <span class="muted">{props.description ? 'Edit the description' : 'Write a description'} (Markdown)</span>
            <textarea name="description" rows={4} maxlength={5000}>
              {typed(props.problem, 'description', 'description', props.description)}
            </textarea>
          </label>
          <div>
            <button type="submit">Save description</button>
          </div>
        </form>
      ) : props.description ? null : (
        <p class="empty">No description.</p>
      )}
    </section>
  );
}

/** The models routes (mounted at `/:namespace/:project/-/ml/models`). */
export const modelRoutes = new Hono<AppEnv>();

async function listPage(c: Context<AppEnv>, problem?: Problem, status: 200 | 400 | 404 | 409 = 200) {
  const { project } = c.get('access');
  const name = (c.req.query('name') ?? '').slice(0, 256);
  const pageToken = c.req.query('page_token') || undefined;
  const sort = c.req.query('sort') === 'updated' ? 'updated' : undefined;
  const self = modelsPath(project);
  const result = await searchRegisteredModels(c.get('db'), project.id, {
    filter: name.trim() ? `name ILIKE ${quote(`%${name.trim()}%`)}` : undefined,
    orderBy: sort ? ['last_updated_timestamp DESC', 'name ASC'] : ['name ASC'],
    maxResults: MODELS_PER_PAGE,
    pageToken,
  });
  const results = () => (
    <div id="models" class="results" aria-live="polite">
      {result.models.length === 0 ? <p class="empty">{name ? 'No models match this name.' : 'No models registered yet. Promote a candidate from its page, or register one with the MLflow client.'}</p> : null}
      {result.models.length > 0 ? (
        <div class="table-wrap">
          <table class="models">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">
                  Latest version
                </th>
                <th scope="col">Aliases</th>
                <th scope="col">Last updated</th>
              </tr>
            </thead>
            <tbody>
              {result.models.map((m) => {
                const latest = latestVersion(m);
                return (
                  <tr>
                    <td class="text">
                      <a href={modelPath(project, m.name)}>{m.name}</a>
                    </td>
                    <td class="num">{latest !== undefined ? <a href={versionPath(project, m.name, latest)}>Version {latest}</a> : <span class="muted">—</span>}</td>
                    <td>
                      <Aliases project={project} name={m.name} aliases={m.aliases} />
                    </td>
                    <td>
                      <Time ms={m.updatedAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav class="pager" aria-label="Pages">
        {pageToken ? (
          <SwapLink href={withQuery(self, { name, sort })} target="#models">
            ← First page
          </SwapLink>
        ) : null}
        {result.nextPageToken ? (
          <SwapLink href={withQuery(self, { name, sort, page_token: result.nextPageToken })} target="#models" rel="next">
            Next page →
          </SwapLink>
        ) : null}
      </nav>
    </div>
  );
  return page(c, {
    title: 'Models',
    status,
    styles: ['/assets/ml.css'],
    crumbs: crumbs(c).slice(0, 2).concat({ label: 'Models' }),
    fragment: results,
    body: (
      <section>
        <h1>Models</h1>
        <ActiveSearch action={self} target="#models">
          <label class="grow">
            Search by name
            <input type="search" name="name" value={name} placeholder="Model name contains…" autocomplete="off" />
          </label>
          <label>
            Sort by
            <select name="sort">
              <option value="" selected={!sort}>
                Name
              </option>
              <option value="updated" selected={sort === 'updated'}>
                Last updated
              </option>
            </select>
          </label>
          <button type="submit">Search</button>
        </ActiveSearch>
        {results()}
        {canWrite(c) ? (
          <details class="card" open={problem?.form === 'create'}>
            <summary>New model</summary>
            <form method="post" action={self} class="stack" id="create-form">
              <Csrf c={c} />
              <FormError problem={problem} form="create" />
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
        ) : null}
      </section>
    ),
  });
}

/** A model's aliases as `alias → version N` links. */
function Aliases(props: { project: { namespace: string; path: string }; name: string; aliases: { alias: string; version: number }[] }) {
  if (props.aliases.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="aliases">
      {props.aliases.map((a) => (
        <li>
          <a class="alias" href={versionPath(props.project, props.name, a.version)}>
            @{a.alias} → v{a.version}
          </a>
        </li>
      ))}
    </ul>
  );
}

modelRoutes.get('/', (c) => listPage(c));

modelRoutes.post('/', (c) =>
  handleForm(
    c,
    'create',
    async (f) => {
      const { project } = c.get('access');
      const model = await createRegisteredModel(c.get('db'), project.id, { name: f.name ?? '', description: f.description || undefined, userId: c.get('actor')!.user.id });
      return modelPath(project, model.name);
    },
    (problem, status) => listPage(c, problem, status),
  ),
);

function modelName(c: Context<AppEnv>): string {
  return c.req.param('name') ?? '';
}

async function modelPage(c: Context<AppEnv>, problem?: Problem, status: 200 | 400 | 404 | 409 = 200) {
  const { project } = c.get('access');
  const db = c.get('db');
  const model = await getRegisteredModel(db, project.id, modelName(c));
  const pageToken = c.req.query('page_token') || undefined;
  const versions = await searchModelVersions(db, project.id, { filter: `name = ${quote(model.name)}`, orderBy: ['version_number DESC'], maxResults: VERSIONS_PER_PAGE, pageToken });
  const sourceRows = await loadCandidateRows(db, [...new Set(versions.versions.flatMap((v) => (v.candidateId === null ? [] : [v.candidateId])))]);
  const sources = new Map(sourceRows.map((r) => [r.id, r]));
  const self = modelPath(project, model.name);
  const write = canWrite(c);
  return page(c, {
    title: `${model.name} · Models`,
    status,
    crumbs: crumbs(c, { label: model.name }),
    styles: ['/assets/ml.css', '/assets/pages.css'],
    body: (
      <article class="model">
        <h1>{model.name}</h1>
        <p class="muted">
          Created <Time ms={model.createdAt} /> · last updated <Time ms={model.updatedAt} />
          {write ? (
            <>
              {' '}
              · <a href={`${self}/delete`}>Delete model…</a>
            </>
          ) : null}
        </p>
        <DescriptionEditor c={c} description={model.description} action={`${self}/description`} problem={problem} />

        <section aria-labelledby="versions-title">
          <h2 id="versions-title">Versions</h2>
          {versions.versions.length === 0 ? <p class="empty">No versions yet. Promote a candidate from its page to make one.</p> : <VersionsTable c={c} model={model.name} versions={versions.versions} sources={sources} />}
          <nav class="pager" aria-label="Pages">
            {pageToken ? <a href={self}>← Newest versions</a> : null}
            {versions.nextPageToken ? (
              <a href={withQuery(self, { page_token: versions.nextPageToken })} rel="next">
                Older versions →
              </a>
            ) : null}
          </nav>
        </section>

        <section aria-labelledby="aliases-title">
          <h2 id="aliases-title">Aliases</h2>
          {model.aliases.length === 0 ? <p class="empty">No aliases.</p> : null}
          {model.aliases.length > 0 ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Alias</th>
                    <th scope="col">Version</th>
                    {write ? <th scope="col">Remove</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {model.aliases.map((a) => (
                    <tr>
                      <td class="text">@{a.alias}</td>
                      <td>
                        <a href={versionPath(project, model.name, a.version)}>Version {a.version}</a>
                      </td>
                      {write ? (
                        <td>
                          <form method="post" action={`${self}/aliases/delete`}>
                            <Csrf c={c} />
                            <input type="hidden" name="alias" value={a.alias} />
                            <button type="submit" class="link" aria-label={`Remove alias ${a.alias}`}>
                              Remove
                            </button>
                          </form>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {write ? (
            <form method="post" action={`${self}/aliases`} class="toolbar" id="alias-form">
              <Csrf c={c} />
              <FormError problem={problem} form="alias" />
              <label>
                Alias
                <input name="alias" required maxlength={255} placeholder="champion" value={typed(problem, 'alias', 'alias')} />
              </label>
              <label>
                Version
                <input name="version" required inputmode="numeric" pattern="[0-9]+" value={typed(problem, 'alias', 'version', String(latestVersion(model) ?? ''))} />
              </label>
              <button type="submit">Set alias</button>
            </form>
          ) : null}
        </section>

        <TagsEditor c={c} tags={model.tags} action={`${self}/tags`} problem={problem} />
      </article>
    ),
  });
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
      <div class="table-wrap">
        <table class="versions">
          <thead>
            <tr>
              <th scope="col" class="pick-col">
                <span class="visually-hidden">Compare</span>
              </th>
              <th scope="col">Version</th>
              <th scope="col">Aliases</th>
              <th scope="col" class="hide-small">
                Stage
              </th>
              <th scope="col">Source candidate</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>
    </>
  );
}

modelRoutes.get('/:name', (c) => modelPage(c));

modelRoutes.post('/:name/description', (c) =>
  handleForm(
    c,
    'description',
    async (f) => {
      const { project } = c.get('access');
      const model = await updateRegisteredModel(c.get('db'), project.id, modelName(c), f.description ?? '');
      return modelPath(project, model.name);
    },
    (problem, status) => modelPage(c, problem, status),
  ),
);

modelRoutes.post('/:name/tags', (c) =>
  handleForm(
    c,
    'tag',
    async (f) => {
      const { project } = c.get('access');
      await setRegisteredModelTag(c.get('db'), project.id, modelName(c), { key: f.key ?? '', value: f.value ?? '' });
      return `${modelPath(project, modelName(c))}#tags-title`;
    },
    (problem, status) => modelPage(c, problem, status),
  ),
);

modelRoutes.post('/:name/tags/delete', (c) =>
  handleForm(
    c,
    'tag',
    async (f) => {
      const { project } = c.get('access');
      await deleteRegisteredModelTag(c.get('db'), project.id, modelName(c), f.key ?? '');
      return `${modelPath(project, modelName(c))}#tags-title`;
    },
    (problem, status) => modelPage(c, problem, status),
  ),
);

modelRoutes.post('/:name/aliases', (c) =>
  handleForm(
    c,
    'alias',
    async (f) => {
      const { project } = c.get('access');
      if (!f.version) throw new InvalidInputError('Pick the version the alias points at.', 'version');
      await setRegisteredModelAlias(c.get('db'), project.id, modelName(c), f.alias ?? '', f.version);
      return `${modelPath(project, modelName(c))}#aliases-title`;
    },
    (problem, status) => modelPage(c, problem, status),
  ),
);

modelRoutes.post('/:name/aliases/delete', (c) =>
  handleForm(
    c,
    'alias',
    async (f) => {
      const { project } = c.get('access');
      await deleteRegisteredModelAlias(c.get('db'), project.id, modelName(c), f.alias ?? '');
      return `${modelPath(project, modelName(c))}#aliases-title`;
    },
    (problem, status) => modelPage(c, problem, status),
  ),
);

/** The confirmation page of a deletion (works without JavaScript). */
export function confirmPage(c: Context<AppEnv>, opts: { title: string; what: string; consequence: string; action: string; cancel: string; crumbs: { label: string; href?: string }[] }) {
  return page(c, {
    title: opts.title,
    crumbs: opts.crumbs,
    styles: ['/assets/ml.css'],
    body: (
      <section class="narrow">
        <h1>{opts.title}</h1>
        <p>
          Delete <strong>{opts.what}</strong>? {opts.consequence} This cannot be undone.
        </p>
        <form method="post" action={opts.action} class="toolbar">
          <Csrf c={c} />
          <button type="submit" class="danger">
            Delete
          </button>
          <a class="button secondary" href={opts.cancel}>
            Cancel
          </a>
        </form>
      </section>
    ),
  });
}

modelRoutes.get('/:name/delete', async (c) => {
  const { project } = c.get('access');
  requireAbility(c, 'write_ml');
  const model = await getRegisteredModel(c.get('db'), project.id, modelName(c));
  return confirmPage(c, {
    title: 'Delete model',
    what: model.name,
    consequence: 'Its versions, aliases and tags go with it; the candidates they came from stay.',
    action: `${modelPath(project, model.name)}/delete`,
    cancel: modelPath(project, model.name),
    crumbs: crumbs(c, { label: model.name, href: modelPath(project, model.name) }, { label: 'Delete' }),
  });
});

modelRoutes.post('/:name/delete', (c) =>
  handleForm(
    c,
    'delete',
    async () => {
      const { project } = c.get('access');
      await deleteRegisteredModel(c.get('db'), project.id, modelName(c));
      return modelsPath(project);
    },
    (problem, status) => modelPage(c, problem, status),
  ),
);
