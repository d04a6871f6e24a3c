/**
 * A model version's page `/:namespace/:project/-/ml/models/:name/versions/:version` (source
 * candidate, its files (whose they are), tags, aliases, description; edit and delete after a
 * confirmation), and "Promote to model version" from a candidate
 * (`/:namespace/:project/-/ml/candidates/:candidate_id/promote`), which calls the registry's
 * promotion and lands on the new version.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import { InvalidInputError, NotFoundError } from '../errors';
import { listDirectory, type DirEntry } from '../packages/files';
import { resolvePackage, type Package } from '../packages/packages';
import { getCandidateRun } from '../tracking/candidates';
import { getExperimentHeader } from '../tracking/candidate-table';
import { deleteRegisteredModelAlias, setRegisteredModelAlias } from '../tracking/registry/aliases';
import type { ModelVersion } from '../tracking/registry/entities';
import type { Project } from '../access/policy';
import { promoteCandidate } from '../tracking/registry/promotion';
import { searchRegisteredModels } from '../tracking/registry/search';
import { artifactLocation, type ArtifactLocation } from '../tracking/registry/sources';
import { mlflowArtifactsUrl, readPackageUrl } from '../http/artifact-uris';
import { candidatePackageName, loggedModelPackageName } from '../packages/names';
import { deleteModelVersion, deleteModelVersionTag, getModelVersion, setModelVersionTag, updateModelVersion } from '../tracking/registry/versions';
import { Copyable, Time } from './kit/components';
import { confirmPage } from './kit/confirm';
import { experimentsCrumbs, modelsCrumbs } from './kit/crumbs';
import { DescriptionEditor } from './kit/description';
import { canWrite, Csrf, handleForm } from './kit/forms';
import { FormError, typed, type Problem } from './kit/problems';
import { AliasesEditor, TagsEditor, VersionLinks } from './kit/tables';
import { candidateIdOf } from './route-params';
import { formatSize } from './format';
import { page } from './layout';
import { REGISTRY_TAG_LIMITS } from './models';
import { loadVersionSource, SourceSummary, type VersionSource } from './version-compare';
import { candidatePath, experimentPath, loggedModelPath, modelPath, packagePath, projectLink, promotePath, versionPath, withQuery } from './paths';

/** At most this many artifact entries are listed on a version's page (the package page has them all). */
const MAX_ENTRIES = 200;

const names = (c: Context<AppEnv>) => ({ name: c.req.param('name') ?? '', version: c.req.param('version') ?? '' });

/** What a version's page shows: the version, where its artifacts are, their package and first entries. */
type LoadedVersion = { v: ModelVersion; location: ArtifactLocation | null; pkg: Package | undefined; entries: DirEntry[]; downloadUri: string; source: VersionSource };

/** Loads the version of the path (a number that is no number is a page that does not exist) and its artifacts. */
async function loadVersion(c: Context<AppEnv>): Promise<LoadedVersion> {
  const { project } = c.get('access');
  const db = c.get('db');
  const { name, version: raw } = names(c);
  const v = await getModelVersion(db, project.id, name, raw).catch((e) => {
    if (e instanceof InvalidInputError) throw new NotFoundError(`Model version ${raw} not found`);
    throw e;
  });
  const [location, source] = await Promise.all([artifactLocation(db, project, v, readPackageUrl).catch(() => null), loadVersionSource(c, project, v)]);
  const pkg = location ? await resolvePackage(db, project.id, location.packageName, location.packageVersion).catch(() => undefined) : undefined;
  const entries = pkg && location ? (await listDirectory(db, pkg, location.path)).slice(0, MAX_ENTRIES) : [];
  const downloadUri = location ? mlflowArtifactsUrl(new URL(c.req.url).origin, project.id, location) : v.source;
  return { v, location, pkg, entries, downloadUri, source };
}

/** The model version routes (routes declared in `routes.ui`). */
export const versionRoutes = handlers();

async function versionPage(c: Context<AppEnv>, problem?: Problem) {
  const { project } = c.get('access');
  const loaded = await loadVersion(c);
  const { v } = loaded;
  return page(c, {
    title: `${v.name} version ${v.version} · Models`,
    status: problem?.status,
    styles: ['/assets/ml.css', '/assets/pages.css'],
    crumbs: modelsCrumbs(project, { label: v.name, href: modelPath(project, v.name) }, { label: `Version ${v.version}` }),
    body: (
      <article class="model-version">
        <h1>
          {v.name} <span class="muted">version {v.version}</span>
        </h1>
        <div class="grid2">
          <VersionFacts c={c} v={v} source={loaded.source} />
          <VersionArtifacts c={c} loaded={loaded} />
        </div>
        <DescriptionEditor c={c} description={v.description} action={projectLink(routes.ui.describeModelVersion, project, { name: v.name, version: v.version })} problem={problem} />
        <AliasesEditor
          c={c}
          project={project}
          model={v.name}
          aliases={v.aliases.map((alias) => ({ alias, version: v.version }))}
          action={projectLink(routes.ui.setModelVersionAlias, project, { name: v.name, version: v.version })}
          problem={problem}
          version={v.version}
        />
        <TagsEditor c={c} tags={v.tags} action={projectLink(routes.ui.setModelVersionTag, project, { name: v.name, version: v.version })} problem={problem} limits={REGISTRY_TAG_LIMITS} />
      </article>
    ),
  });
}

/** The "Version" card: model, source candidate, source, aliases, stage, status, times, its models:/ URI. */
function VersionFacts(props: { c: Context<AppEnv>; v: ModelVersion; source: VersionSource }) {
  const { c, v } = props;
  const { project } = c.get('access');
  return (
    <section class="card" aria-labelledby="about">
      <h2 id="about">Version</h2>
      <dl class="facts">
        <dt>Model</dt>
        <dd>
          <a href={modelPath(project, v.name)}>{v.name}</a>
        </dd>
        <dt>Source candidate</dt>
        <dd id="source-candidate">
          <SourceSummary project={project} source={props.source} />
        </dd>
        <dt>Source</dt>
        <dd>
          <code>{v.source}</code>
        </dd>
        <dt>Aliases</dt>
        <dd id="version-aliases">{v.aliases.length ? v.aliases.map((a) => <span class="alias">@{a} </span>) : <span class="muted">none</span>}</dd>
        <dt>Stage</dt>
        <dd>{v.currentStage}</dd>
        <dt>Status</dt>
        <dd>{v.status}</dd>
        <dt>Created</dt>
        <dd>
          <Time ms={v.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time ms={v.updatedAt} />
        </dd>
        <dt>Load it with</dt>
        <dd>
          <Copyable id="model-uri" text={`models:/${v.name}/${v.version}`} />
        </dd>
      </dl>
      {canWrite(c) ? (
        <p>
          <a href={projectLink(routes.ui.deleteModelVersionConfirm, project, { name: v.name, version: v.version })}>Delete this version…</a>
        </p>
      ) : null}
    </section>
  );
}

/**
 * Whose files a version's artifacts are, in words: its run's or its logged model's (then the page
 * whose file browser shows them), else the package they are in (a package uploaded by hand).
 */
function filesOwner(project: Project, loaded: LoadedVersion): { words: string; name: string; href: string; browser: string | null } | null {
  const { location, pkg, source } = loaded;
  if (!location || !pkg) return null;
  if (source.candidate && location.packageName === candidatePackageName(source.candidate.id)) {
    const page = candidatePath(project, source.candidate.id);
    return { words: 'Files of run', name: source.candidate.name, href: `${page}#artifacts`, browser: page };
  }
  if (source.loggedModel && location.packageName === loggedModelPackageName(source.loggedModel.seq)) {
    const page = loggedModelPath(project, source.loggedModel.id);
    return { words: 'Files of logged model', name: source.loggedModel.name, href: `${page}#artifacts`, browser: page };
  }
  return { words: 'In package', name: pkg.name, href: packagePath(project, pkg.id), browser: null };
}

/** The "Artifacts" card: whose files they are, the first entries, and the URI MLflow downloads from. */
function VersionArtifacts(props: { c: Context<AppEnv>; loaded: LoadedVersion }) {
  const { project } = props.c.get('access');
  const { location, entries, downloadUri } = props.loaded;
  const owner = filesOwner(project, props.loaded);
  return (
    <section class="card" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      {owner && location ? (
        <p id="version-files">
          {owner.words} <a href={owner.href}>{owner.name}</a>
          {location.path ? (
            <>
              , under <code>{location.path}</code>
            </>
          ) : null}
          .
        </p>
      ) : (
        <p class="empty">No artifacts stored for this version yet.</p>
      )}
      {location && entries.length > 0 ? (
        <ul class="inline-list files">
          {entries.map((e) => (
            <EntryItem project={project} browser={owner?.browser ?? null} location={location} entry={e} />
          ))}
        </ul>
      ) : null}
      <p class="muted">MLflow downloads them from:</p>
      <Copyable id="download-uri" text={downloadUri} />
    </section>
  );
}

/**
 * One artifact entry: opens in the file browser (with previews) of the run or logged model whose
 * files they are (`browser`); a file has MLflow's own download route (the generic package API).
 */
function EntryItem(props: { project: Project; browser: string | null; location: ArtifactLocation; entry: DirEntry }) {
  const { project, browser, location, entry: e } = props;
  const full = [location.path, e.path].filter(Boolean).join('/');
  const browsable = browser !== null;
  const browse = (query: Record<string, string>) => `${withQuery(browser!, query)}#artifacts`;
  if (e.isDir) {
    return (
      <li>
        <span aria-hidden="true">📁</span> {browsable ? <a href={browse({ path: full })}>{e.path}/</a> : <>{e.path}/</>}
      </li>
    );
  }
  const fileUrl = routes.packagesApi.download.link({ id: project.id }, [location.packageName, location.packageVersion, ...full.split('/')].map(encodeURIComponent).join('/'));
  return (
    <li>
      {browsable ? <a href={browse({ file: full })}>{e.path}</a> : <>{e.path}</>} <span class="muted">{formatSize(e.size ?? 0)}</span>{' '}
      <a href={fileUrl} download aria-label={`Download ${e.path}`}>
        Download
      </a>
    </li>
  );
}

versionRoutes.on(routes.ui.modelVersion, (c) => versionPage(c));

/**
 * A form of the version in the path: `act` calls the domain and may name the page to show next
 * (else the version's page at `anchor`); a refusal draws the version's page again.
 */
const versionForm =
  (form: string, act: (c: Context<AppEnv>, f: Record<string, string>) => Promise<string | void>, anchor = '') =>
  (c: Context<AppEnv>) =>
    handleForm(
      c,
      form,
      async (f) => {
        const target = await act(c, f);
        const { name, version } = names(c);
        return target ?? `${versionPath(c.get('access').project, name, Number(version))}${anchor}`;
      },
      (problem) => versionPage(c, problem),
      { missingIsFixable: form === 'alias' },
    );

const projectId = (c: Context<AppEnv>) => c.get('access').project.id;

versionRoutes.on(
  routes.ui.describeModelVersion,
  versionForm('description', async (c, f) => {
    const { name, version } = names(c);
    await updateModelVersion(c.get('db'), projectId(c), name, version, f.description ?? '');
  }),
);
versionRoutes.on(
  routes.ui.setModelVersionTag,
  versionForm(
    'tag',
    async (c, f) => {
      const { name, version } = names(c);
      await setModelVersionTag(c.get('db'), projectId(c), name, version, { key: f.key ?? '', value: f.value ?? '' });
    },
    '#tags-title',
  ),
);
versionRoutes.on(
  routes.ui.deleteModelVersionTag,
  versionForm(
    'tag',
    async (c, f) => {
      const { name, version } = names(c);
      await deleteModelVersionTag(c.get('db'), projectId(c), name, version, f.key ?? '');
    },
    '#tags-title',
  ),
);
versionRoutes.on(
  routes.ui.setModelVersionAlias,
  versionForm('alias', async (c, f) => {
    const { name, version } = names(c);
    await setRegisteredModelAlias(c.get('db'), projectId(c), name, f.alias ?? '', version);
  }),
);
versionRoutes.on(
  routes.ui.deleteModelVersionAlias,
  versionForm('alias', async (c, f) => {
    await deleteRegisteredModelAlias(c.get('db'), projectId(c), names(c).name, f.alias ?? '');
  }),
);

versionRoutes.on(routes.ui.deleteModelVersionConfirm, async (c) => {
  const { project } = c.get('access');
  const { name, version } = names(c);
  const v = await getModelVersion(c.get('db'), project.id, name, version);
  const self = versionPath(project, v.name, v.version);
  return confirmPage(c, {
    title: 'Delete model version',
    what: `${v.name} version ${v.version}`,
    consequence: `Its tags and the aliases pointing at it (${v.aliases.length ? v.aliases.map((a) => `@${a}`).join(', ') : 'none'}) go with it; the candidate stays.`,
    action: projectLink(routes.ui.deleteModelVersion, project, { name: v.name, version: v.version }),
    cancel: self,
    crumbs: modelsCrumbs(project, { label: v.name, href: modelPath(project, v.name) }, { label: `Version ${v.version}`, href: self }, { label: 'Delete' }),
  });
});
versionRoutes.on(
  routes.ui.deleteModelVersion,
  versionForm('delete', async (c) => {
    const { name, version } = names(c);
    await deleteModelVersion(c.get('db'), projectId(c), name, version);
    return modelPath(c.get('access').project, name);
  }),
);

/**
 * The box on a candidate's page: the model versions made from it and, for those who may write,
 * the "Promote to model version" button.
 */
export function PromoteBox(props: { c: Context<AppEnv>; candidateId: number; versions: { name: string; version: number }[] }) {
  const { project } = props.c.get('access');
  const { versions } = props;
  return (
    <section class="card promote" aria-labelledby="model-versions">
      <h2 id="model-versions">Model versions</h2>
      <VersionLinks project={project} versions={versions} empty={<p class="empty">Not promoted to a model version yet.</p>} />
      {canWrite(props.c) ? (
        <p>
          <a class="button" href={promotePath(project, props.candidateId)}>
            Promote to model version
          </a>
        </p>
      ) : null}
    </section>
  );
}

/** The promotion routes (routes declared in `routes.ui`). */
export const promoteRoutes = handlers();

async function promotePage(c: Context<AppEnv>, problem?: Problem) {
  const { project } = c.get('access');
  const db = c.get('db');
  const run = await getCandidateRun(db, project.id, candidateIdOf(c));
  if (run.info.lifecycleStage !== 'active') throw new NotFoundError(`Candidate ${run.info.candidateId} not found`);
  const info = run.info;
  const [experiment, models] = await Promise.all([
    getExperimentHeader(db, project.id, info.experimentIid).catch(() => null),
    searchRegisteredModels(db, project.id, { orderBy: ['last_updated_timestamp DESC'], maxResults: 100 }),
  ]);
  const label = info.name || info.runId;
  const self = promotePath(project, info.candidateId);
  return page(c, {
    title: `Promote ${label}`,
    status: problem?.status,
    styles: ['/assets/ml.css'],
    crumbs: experimentsCrumbs(
      project,
      { label: experiment?.name ?? `Experiment ${info.experimentIid}`, href: experimentPath(project, info.experimentIid) },
      { label, href: candidatePath(project, info.candidateId) },
      { label: 'Promote' },
    ),
    body: (
      <section class="narrow">
        <h1>Promote to model version</h1>
        <p>
          Candidate <a href={candidatePath(project, info.candidateId)}>{label}</a> becomes the next version of a registered model; the version keeps a link back to it and its
          files are the candidate's.
        </p>
        <form method="post" action={self} class="card stack" id="promote-form">
          <Csrf c={c} />
          <FormError problem={problem} form="promote" id="promote-error" />
          <label>
            Model name (an existing model, or a new one)
            <input name="model_name" required maxlength={256} list="existing-models" autocomplete="off" value={typed(problem, 'promote', 'model_name')} />
          </label>
          <datalist id="existing-models">
            {models.models.map((m) => (
              <option value={m.name}></option>
            ))}
          </datalist>
          <label>
            Artifact path of the model (empty: all the candidate's artifacts)
            <input name="artifact_path" maxlength={500} placeholder="model" value={typed(problem, 'promote', 'artifact_path')} />
          </label>
          <label>
            Version description
            <textarea name="description" rows={3} maxlength={5000}>
              {typed(problem, 'promote', 'description')}
            </textarea>
          </label>
          <div>
            <button type="submit">Promote</button> <a href={candidatePath(project, info.candidateId)}>Cancel</a>
          </div>
        </form>
      </section>
    ),
  });
}

promoteRoutes.on(routes.ui.promoteCandidateForm, (c) => promotePage(c));

promoteRoutes.on(routes.ui.promoteCandidate, (c) =>
  handleForm(
    c,
    'promote',
    async (f) => {
      const { project } = c.get('access');
      const db = c.get('db');
      const candidateId = candidateIdOf(c);
      const run = await getCandidateRun(db, project.id, candidateId);
      if (run.info.lifecycleStage !== 'active') throw new NotFoundError(`Candidate ${candidateId} not found`);
      const { version } = await promoteCandidate(db, project, {
        candidateId,
        modelName: (f.model_name ?? '').trim(),
        artifactPath: f.artifact_path || undefined,
        description: f.description || undefined,
        userId: c.get('actor')!.user.id,
      });
      return versionPath(project, version.name, version.version);
    },
    (problem) => promotePage(c, problem),
  ),
);
