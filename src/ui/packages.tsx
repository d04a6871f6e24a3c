/**
 * The package registry pages: `/:namespace/:project/-/packages` (filter by name as you type,
 * 20 per page) and `/:namespace/:project/-/packages/:package_id` (its files with download
 * links), plus `.../download?path=` which streams a file as an attachment. ML packages
 * (`ml_*`) exist for the UI only while the feature flag is on for the project.
 */
import { type Context } from 'hono';
import { routes } from '../http/routes';
import { handlers } from '../http/mount';
import type { AppEnv } from '../http/env';
import { NotFoundError } from '../errors';
import { isMlPackageName } from '../packages/names';
import { packageOwners, type PackageOwner } from '../tracking/package-owners';
import { servedContentType } from '../packages/content-types';
import type { Project } from '../access/policy';
import { getFile, listFiles, readFile } from '../packages/files';
import { getPackage, listPackages, type Package } from '../packages/packages';
import { previewKind } from './artifact-preview';
import { ActiveSearch, Time } from './kit/components';
import { packagesCrumbs, projectCrumbs } from './kit/crumbs';
import { Pager, pageNumber } from './kit/pager';
import { DataTable } from './kit/tables';
import { formatSize } from './format';
import { page } from './layout';
import { candidatePath, loggedModelPath, packageDownloadPath, packagePath, packagesPath, versionPath, withQuery } from './paths';
import { mlFlagOn } from '../http/middleware';

const PER_PAGE = 20;
const FILES_PER_PAGE = 100;

/** The package registry (routes declared in `routes.ui`, project loaded). */
export const packageRoutes = handlers();

/** The list's state, all of it in the URL. */
type ListView = { name: string; pageNo: number };

const readListView = (c: Context<AppEnv>): ListView => ({ name: (c.req.query('name') ?? '').slice(0, 255), pageNo: pageNumber(c.req.query('page')) });

/** One page of the project's packages, newest first; ML packages only while the flag is on. */
async function loadPackageList(c: Context<AppEnv>, view: ListView) {
  const rows = await listPackages(c.get('db'), c.get('access').project.id, {
    name: view.name || undefined,
    includeMl: await mlFlagOn(c),
    orderBy: 'created_at',
    sort: 'desc',
    limit: PER_PAGE + 1,
    offset: (view.pageNo - 1) * PER_PAGE,
  });
  const packages = rows.slice(0, PER_PAGE);
  return { packages, more: rows.length > PER_PAGE, owners: await packageOwners(c.get('db'), c.get('access').project.id, packages.map((p) => p.name)) };
}

type PackageList = Awaited<ReturnType<typeof loadPackageList>>;

packageRoutes.on(routes.ui.packages, async (c) => {
  const { project } = c.get('access');
  const view = readListView(c);
  const list = await loadPackageList(c, view);
  const results = () => <PackageResults c={c} view={view} list={list} />;
  return page(c, {
    title: `Packages · ${project.name}`,
    crumbs: projectCrumbs(project, { label: 'Packages' }),
    fragment: results,
    body: (
      <section>
        <h1>Packages</h1>
        <ActiveSearch action={packagesPath(project)} target="#packages">
          <label class="grow">
            Filter by name
            <input type="search" name="name" value={view.name} placeholder="Package name contains…" autocomplete="off" />
          </label>
          <button type="submit">Apply</button>
        </ActiveSearch>
        {results()}
      </section>
    ),
  });
});

/** The list and its pager (`#packages`), also the fragment the filter swaps. */
function PackageResults(props: { c: Context<AppEnv>; view: ListView; list: PackageList }) {
  const { view, list } = props;
  const { project } = props.c.get('access');
  const self = packagesPath(project);
  return (
    <div id="packages" class="results">
      {list.packages.length === 0 ? (
        <p class="empty">{view.name ? 'No packages match this filter.' : 'No packages yet. Artifacts logged with MLflow appear here as ml_candidate_<id> packages.'}</p>
      ) : (
        <DataTable columns={['Name', 'Version', { label: 'Type', class: 'hide-small' }, 'Created', 'Belongs to']}>
          {list.packages.map((p) => (
            <tr>
              <td class="text">
                <a href={packagePath(project, p.id)}>{p.name}</a>
              </td>
              <td>
                <code>{p.version}</code>
              </td>
              <td class="hide-small">{p.packageType}</td>
              <td>
                <Time ms={p.createdAt} />
              </td>
              <td class="text">
                <OwnerLink project={props.c.get('access').project} owner={props.list.owners.get(p.name)} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager
        target="#packages"
        back={view.pageNo > 1 ? { href: withQuery(self, { name: view.name, page: view.pageNo - 1 }), label: '← Previous' } : undefined}
        next={list.more ? { href: withQuery(self, { name: view.name, page: view.pageNo + 1 }), label: 'Next page →' } : undefined}
      />
    </div>
  );
}

/** Where an ML package's owner lives: the candidate by its run name, the logged model, the model version. */
function OwnerLink(props: { project: Project; owner: PackageOwner | undefined; files?: boolean }) {
  const { project, owner } = props;
  if (!owner) return <span class="muted">—</span>;
  if (owner.kind === 'candidate') {
    return (
      <>
        <span class="muted">Candidate </span>
        <a href={candidatePath(project, owner.candidateId)}>{owner.name}</a>
        {props.files ? (
          <>
            {' '}
            (<a href={`${candidatePath(project, owner.candidateId)}#artifacts`}>Files of this run</a>)
          </>
        ) : null}
      </>
    );
  }
  if (owner.kind === 'logged_model') {
    return (
      <>
        <span class="muted">Logged model </span>
        <a href={loggedModelPath(project, owner.modelId)}>{owner.name}</a>
      </>
    );
  }
  return (
    <>
      <span class="muted">Model version </span>
      <a href={versionPath(project, owner.modelName, owner.version)}>
        {owner.modelName} version {owner.version}
      </a>
    </>
  );
}


/** The package of the path, hidden (404) when it is an ML package and the flag is off. */
async function visiblePackage(c: Context<AppEnv>): Promise<Package> {
  const raw = c.req.param('package_id') ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError('404 Package Not Found');
  const pkg = await getPackage(c.get('db'), c.get('access').project.id, Number(raw));
  if (isMlPackageName(pkg.name) && !(await mlFlagOn(c))) throw new NotFoundError('404 Package Not Found');
  return pkg;
}

/** The package of the path and one page (`?page=`) of its files. */
async function loadPackage(c: Context<AppEnv>) {
  const pkg = await visiblePackage(c);
  const pageNo = pageNumber(c.req.query('page'));
  const rows = await listFiles(c.get('db'), pkg, { limit: FILES_PER_PAGE + 1, offset: (pageNo - 1) * FILES_PER_PAGE });
  const owner = (await packageOwners(c.get('db'), pkg.projectId, [pkg.name])).get(pkg.name);
  return { pkg, pageNo, files: rows.slice(0, FILES_PER_PAGE), more: rows.length > FILES_PER_PAGE, owner };
}

type LoadedPackage = Awaited<ReturnType<typeof loadPackage>>;

packageRoutes.on(routes.ui.package, async (c) => {
  const { project } = c.get('access');
  const loaded = await loadPackage(c);
  const { pkg, pageNo, more } = loaded;
  const self = packagePath(project, pkg.id);
  return page(c, {
    title: `${pkg.name} · Packages`,
    crumbs: packagesCrumbs(project, { label: pkg.name }),
    body: (
      <section>
        <h1>{pkg.name}</h1>
        <PackageFacts c={c} pkg={pkg} owner={loaded.owner} />
        <h2>Files</h2>
        <FilesTable c={c} loaded={loaded} />
        <Pager
          back={pageNo > 1 ? { href: withQuery(self, { page: pageNo - 1 }), label: '← Previous' } : undefined}
          next={more ? { href: withQuery(self, { page: pageNo + 1 }), label: 'Next page →' } : undefined}
        />
      </section>
    ),
  });
});

/** Version, type, times and, for an ML package, what it belongs to. */
function PackageFacts(props: { c: Context<AppEnv>; pkg: Package; owner: PackageOwner | undefined }) {
  const { pkg, owner } = props;
  const { project } = props.c.get('access');
  return (
    <dl class="facts card">
      <dt>Version</dt>
      <dd>
        <code>{pkg.version}</code>
      </dd>
      <dt>Type</dt>
      <dd>{pkg.packageType}</dd>
      <dt>Created</dt>
      <dd>
        <Time ms={pkg.createdAt} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <Time ms={pkg.updatedAt} />
      </dd>
      {owner ? (
        <>
          <dt>Belongs to</dt>
          <dd id="package-owner">
            <OwnerLink project={project} owner={owner} files />
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** A page of a package's files: path, size, SHA-256, created, download link. */
function FilesTable(props: { c: Context<AppEnv>; loaded: LoadedPackage }) {
  const { pkg, files } = props.loaded;
  const { project } = props.c.get('access');
  if (files.length === 0) return <p class="empty">This package holds no files.</p>;
  return (
    <DataTable columns={['Path', { label: 'Size', class: 'num' }, { label: 'SHA-256', class: 'hide-small' }, { label: 'Created', class: 'hide-small' }, 'Download']}>
      {files.map((f) => (
        <tr>
          <td class="text">{f.filePath}</td>
          <td class="num">{formatSize(f.size)}</td>
          <td class="hide-small">
            {f.sha256 ? <code title={f.sha256}>{f.sha256.slice(0, 12)}</code> : <span class="muted" title="not computed for a file uploaded in parts">—</span>}
          </td>
          <td class="hide-small">
            <Time ms={f.createdAt} />
          </td>
          <td>
            <a href={packageDownloadPath(project, pkg.id, f.filePath)} download aria-label={`Download ${f.filePath}`}>
              Download
            </a>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * How a file may be shown inline (`?inline=1`), with the policy its bytes get: raster images and
 * SVG for `<img>`, HTML for a sandboxed frame of this site (no scripts: `sandbox` without
 * `allow-scripts`), PDF for the browser's viewer in a frame of this site. Anything else, and
 * every download, is a sandboxed attachment.
 */
const INLINE_POLICY: Partial<Record<ReturnType<typeof previewKind>, { type: string; csp: string; frame: boolean }>> = {
  image: { type: '', csp: "default-src 'none'; sandbox", frame: false },
  svg: { type: 'image/svg+xml', csp: "default-src 'none'; style-src 'unsafe-inline'; sandbox", frame: false },
  html: { type: 'text/html; charset=utf-8', csp: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'", frame: true },
  pdf: { type: 'application/pdf', csp: "frame-ancestors 'self'", frame: true },
};

packageRoutes.on(routes.ui.packageDownload, async (c) => {
  const pkg = await visiblePackage(c);
  const file = await getFile(c.get('db'), pkg, c.req.query('path') ?? '');
  const policy = c.req.query('inline') === '1' ? INLINE_POLICY[previewKind(file)] : undefined;
  const name = file.filePath.split('/').pop() ?? 'download';
  const body = await readFile(c.env.ARTIFACTS, file);
  const headers: Record<string, string> = {
    'content-type': policy ? policy.type || file.contentType.split(';')[0].trim().toLowerCase() : servedContentType(file.filePath, file.contentType),
    'content-length': String(file.size),
    'content-disposition': `${policy ? 'inline' : 'attachment'}; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'content-security-policy': policy?.csp ?? "default-src 'none'; sandbox",
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  };
  if (policy?.frame) headers['x-frame-options'] = 'SAMEORIGIN';
  return new Response(body, { headers });
});
