/**
 * GitLab's package API for generic packages, under /api/v4/projects/:id/packages, with nested
 * file paths allowed. The same files are MLflow artifacts when the package is an ML package
 * (`ml_candidate_<id>` / `-`); with the ml_experiment_tracking flag off, `ml_` packages are 404.
 *
 *   PUT    generic/:package_name/:package_version/*file_path   upload (streamed)
 *   GET    generic/:package_name/:package_version/*file_path   download
 *   GET    /                          list (package_name, package_type, order_by, sort, page, per_page)
 *   GET    /:package_id               one package
 *   GET    /:package_id/package_files its files
 *   DELETE /:package_id               the package, its files and their bytes
 *   DELETE /:package_id/package_files/:file_id
 */
import type { Context } from 'hono';
import { handlers } from '../../http/mount';
import { routes } from '../../http/routes';
import { z } from 'zod';
import type { AppEnv } from '../../http/env';
import { InvalidInputError, NotFoundError } from '../../errors';
import { mlFlagOn, requireActor } from '../../http/middleware';
import type { Project } from '../../access/policy';
import { deleteFile, getFile, listFiles, putFile, type PackageFile } from '../../packages/files';
import { isMlPackageName } from '../../packages/names';
import { deletePackage, ensurePackage, getPackage, listPackages, resolvePackage, type Package, type PackageStore } from '../../packages/packages';
import { decodeUrlPath, normalizePath } from '../../packages/paths';
import { fileResponse, uploadBody } from '../file-transfer';
import { rawWildcard } from '../../http/matched';
import { pageOf } from './input';
import { parseInput } from '../../validation';

const store = (c: Context<AppEnv>): PackageStore => ({ db: c.get('db'), bucket: c.env.ARTIFACTS });
const project = (c: Context<AppEnv>) => c.get('access').project;

/** 404 for an `ml_` package while the flag is off for the project (one KV read, only for ml_ names). */
async function checkMlFlag(c: Context<AppEnv>, name: string): Promise<void> {
  if (isMlPackageName(name) && !(await mlFlagOn(c))) throw new NotFoundError('404 Package Not Found');
}

/** The package named by `:package_id`, hidden when it is an ML package and the flag is off. */
async function packageById(c: Context<AppEnv>): Promise<Package> {
  const raw = c.req.param('package_id') ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError('404 Package Not Found');
  const pkg = await getPackage(c.get('db'), project(c).id, Number(raw));
  await checkMlFlag(c, pkg.name);
  return pkg;
}

/** Name, version and file path of a generic-package URL, read from the raw path. */
function genericTarget(c: Context): { name: string; version: string; path: string } {
  const [name = '', version = '', ...file] = rawWildcard(c).split('/');
  return {
    name: decodeUrlPath(name, 'package_name'),
    version: decodeUrlPath(version, 'package_version'),
    path: normalizePath(decodeUrlPath(file.join('/'), 'file_path'), 'file_path'),
  };
}

/** GitLab's shape of a package. */
function packageJson(origin: string, p: Project, pkg: Package) {
  return {
    id: pkg.id,
    name: pkg.name,
    version: pkg.version,
    package_type: pkg.packageType,
    status: 'default',
    _links: {
      web_path: routes.ui.package.link({ namespace: p.namespace, project: p.path, package_id: pkg.id }),
      delete_api_path: `${origin}${routes.packagesApi.delete.link({ id: p.id, package_id: pkg.id })}`,
    },
    created_at: new Date(pkg.createdAt).toISOString(),
    last_downloaded_at: null,
    pipelines: [],
    tags: [],
  };
}

/** GitLab's shape of a package file (`file_name` is the full path inside the package). */
function packageFileJson(f: PackageFile) {
  return {
    id: f.id,
    package_id: f.packageId,
    created_at: new Date(f.createdAt).toISOString(),
    file_name: f.filePath,
    size: f.size,
    file_md5: null,
    file_sha1: null,
    file_sha256: f.sha256,
    pipelines: [],
  };
}

// GitLab's pagination headers; `more` says whether a next page exists.
function pageHeaders(c: Context, page: { limit: number; offset: number }, more: boolean) {
  const current = page.offset / page.limit + 1;
  c.header('x-page', String(current));
  c.header('x-per-page', String(page.limit));
  c.header('x-next-page', more ? String(current + 1) : '');
  c.header('x-prev-page', current > 1 ? String(current - 1) : '');
}

const ListQuery = z.object({
  package_name: z.string().max(255).optional(),
  package_type: z.string().max(50).optional(),
  order_by: z.enum(['created_at', 'name', 'version', 'type']).optional(),
  sort: z.enum(['asc', 'desc']).optional(),
});

/** Routes under /api/v4/projects/:id/packages. */
export const packagesApi = handlers()
  .on(routes.packagesApi.upload, async (c) => {
    const target = genericTarget(c);
    await checkMlFlag(c, target.name);
    const pkg = await ensurePackage(c.get('db'), project(c).id, target.name, target.version);
    const { body, length } = uploadBody(c);
    const file = await putFile(store(c), pkg, target.path, body, {
      length,
      contentType: c.req.header('content-type'),
      userId: requireActor(c).user.id,
    });
    if (c.req.query('select') === 'package_file') return c.json(packageFileJson(file), 201);
    return c.json({ message: '201 Created' }, 201);
  })
  .on(routes.packagesApi.download, async (c) => {
    const target = genericTarget(c);
    await checkMlFlag(c, target.name);
    const pkg = await resolvePackage(c.get('db'), project(c).id, target.name, target.version);
    if (!pkg) throw new NotFoundError('404 Package Not Found');
    return fileResponse(c, await getFile(c.get('db'), pkg, target.path));
  })
  .on(routes.packagesApi.list, async (c) => {
    const query = parseInput(ListQuery, c.req.query());
    const page = pageOf(c);
    const rows = await listPackages(c.get('db'), project(c).id, {
      name: query.package_name,
      type: query.package_type,
      includeMl: await mlFlagOn(c),
      orderBy: query.order_by,
      sort: query.sort,
      limit: page.limit + 1,
      offset: page.offset,
    });
    pageHeaders(c, page, rows.length > page.limit);
    const origin = new URL(c.req.url).origin;
    return c.json(rows.slice(0, page.limit).map((pkg) => packageJson(origin, project(c), pkg)));
  })
  .on(routes.packagesApi.get, async (c) => {
    return c.json(packageJson(new URL(c.req.url).origin, project(c), await packageById(c)));
  })
  .on(routes.packagesApi.files, async (c) => {
    const pkg = await packageById(c);
    const page = pageOf(c);
    const files = await listFiles(c.get('db'), pkg, { limit: page.limit + 1, offset: page.offset });
    pageHeaders(c, page, files.length > page.limit);
    return c.json(files.slice(0, page.limit).map(packageFileJson));
  })
  .on(routes.packagesApi.delete, async (c) => {
    await deletePackage(store(c), await packageById(c));
    return c.body(null, 204);
  })
  .on(routes.packagesApi.deleteFile, async (c) => {
    const pkg = await packageById(c);
    const fileId = c.req.param('file_id');
    if (!/^\d{1,15}$/.test(fileId)) throw new InvalidInputError('file_id must be a number', 'file_id');
    await deleteFile(store(c), pkg, Number(fileId));
    return c.body(null, 204);
  });
