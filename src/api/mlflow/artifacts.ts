/**
 * MLflow's artifact protocol (`mlflow-artifacts`), over the packages part. Paths start with the
 * package: `<package name>/<version>/<file path>`, so a run's artifact root
 * `.../mlflow-artifacts/artifacts/ml_candidate_<id>/-` is that candidate's package.
 *
 *   GET    artifacts?path=<dir>        list a directory (any depth); a file or nothing lists `{}`
 *   GET    artifacts/<path>            download
 *   PUT    artifacts/<path>            upload (streamed)
 *   DELETE artifacts/<path>            delete a file or a directory
 *   POST   mpu/create|complete|abort/<dir>    multipart upload of the local file `path` into <dir>;
 *                                      its parts go to artifact-parts.ts
 */
import { type Context } from 'hono';
import { routes } from '../../http/routes';
import { handlers } from '../../http/mount';
import { z } from 'zod';
import type { AppEnv } from '../../http/env';
import { InvalidInputError } from '../../errors';
import { requireActor } from '../../http/middleware';
import { deletePath, getFile, listDirectory, putFile } from '../../packages/files';
import { abortUpload, completeUpload, createUpload } from '../../packages/multipart';
import { ensurePackage, resolvePackage, type PackageStore } from '../../packages/packages';
import { decodeUrlPath, normalizePath } from '../../packages/paths';
import { fileResponse, uploadBody } from '../file-transfer';
import { rawWildcard } from '../../http/matched';
import { partUrl } from './artifact-parts';
import { mlflowInput, originOf, projectIdOf } from './input';

/** An artifact path split into its package and the path inside it. */
type ArtifactPath = { name: string; version: string; path: string };

// The package's name and version are the first two segments; the rest is checked on its own,
// so `<name>/<version>//etc/passwd` is an absolute path, not `etc/passwd`.
function splitArtifactPath(raw: string, field = 'path'): ArtifactPath {
  const [name = '', version = '', ...rest] = raw.split('/');
  if (name === '' || version === '') {
    throw new InvalidInputError(`${field} must start with <package name>/<version>, e.g. ml_candidate_<id>/-`, field);
  }
  return { name, version, path: normalizePath(rest.join('/'), field, { allowEmpty: true }) };
}

// The artifact path after `marker` in the raw URL (percent-decoded once, then checked).
function pathAfter(c: Context<AppEnv>): ArtifactPath {
  return splitArtifactPath(decodeUrlPath(rawWildcard(c)));
}

// Multipart requests name the destination DIRECTORY in the URL and the client's local file in
// `path`; the file lands in that directory under the local file's name (as MLflow's stores do).
function mpuTarget(c: Context<AppEnv>, localPath: string): ArtifactPath {
  const where = pathAfter(c);
  const name = localPath.split(/[\\/]/).pop() ?? '';
  if (name === '' || name === '.' || name === '..') throw new InvalidInputError('path must name the local file being uploaded', 'path');
  return { ...where, path: where.path === '' ? name : `${where.path}/${name}` };
}

const store = (c: Context<AppEnv>): PackageStore => ({ db: c.get('db'), bucket: c.env.ARTIFACTS });

const inputs = {
  list: z.object({ path: z.string().optional() }),
  mpuCreate: z.object({ path: z.string(), num_parts: z.coerce.number().int() }),
  mpuComplete: z.object({
    path: z.string(),
    upload_id: z.string().min(1),
    parts: z.array(z.object({ part_number: z.coerce.number().int(), etag: z.string(), url: z.string().optional() })),
  }),
  mpuAbort: z.object({ path: z.string(), upload_id: z.string().min(1) }),
};

/** The package and path of a multipart upload in progress (its directory is the route's `*`). */
async function pendingUpload(c: Context<AppEnv>, localPath: string) {
  const where = mpuTarget(c, localPath);
  const pkg = await resolvePackage(c.get('db'), projectIdOf(c), where.name, where.version);
  if (!pkg) throw new InvalidInputError(`no upload is in progress for '${where.path}'`, 'upload_id');
  return { pkg, path: where.path };
}

/** Routes under .../ml/mlflow/api/2.0/mlflow-artifacts. */
export const artifactsApi = handlers()
  .on(routes.mlflow.artifacts.listRoot, async (c) => {
    const input = await mlflowInput(c, inputs.list);
    const where = splitArtifactPath(input.path ?? '');
    const pkg = await resolvePackage(c.get('db'), projectIdOf(c), where.name, where.version);
    const entries = await listDirectory(c.get('db'), pkg, where.path);
    if (entries.length === 0) return c.json({});
    return c.json({ files: entries.map((e) => (e.isDir ? { path: e.path, is_dir: true } : { path: e.path, is_dir: false, file_size: e.size })) });
  })
  .on(routes.mlflow.artifacts.file, async (c) => {
    const where = pathAfter(c);
    const pkg = await resolvePackage(c.get('db'), projectIdOf(c), where.name, where.version);
    return fileResponse(c, await getFile(c.get('db'), pkg, where.path));
  })
  .on(routes.mlflow.artifacts.upload, async (c) => {
    const where = pathAfter(c);
    normalizePath(where.path, 'path'); // refuse a bad path before creating the package
    const pkg = await ensurePackage(c.get('db'), projectIdOf(c), where.name, where.version);
    const { body, length } = uploadBody(c);
    await putFile(store(c), pkg, where.path, body, {
      length,
      contentType: c.req.header('content-type'),
      userId: requireActor(c).user.id,
    });
    return c.json({});
  })
  .on(routes.mlflow.artifacts.delete, async (c) => {
    const where = pathAfter(c);
    const pkg = await resolvePackage(c.get('db'), projectIdOf(c), where.name, where.version);
    await deletePath(store(c), pkg, where.path);
    return c.json({});
  })
  .on(routes.mlflow.artifacts.createUpload, async (c) => {
    const input = await mlflowInput(c, inputs.mpuCreate);
    const where = mpuTarget(c, input.path);
    normalizePath(where.path, 'path');
    const pkg = await ensurePackage(c.get('db'), projectIdOf(c), where.name, where.version);
    const upload = await createUpload(store(c), pkg, where.path, input.num_parts, requireActor(c).user.id);
    const origin = originOf(c);
    return c.json({
      upload_id: upload.uploadId,
      credentials: upload.credentials.map((cred) => ({
        url: partUrl(origin, projectIdOf(c), upload.uploadId, cred),
        part_number: cred.partNumber,
        headers: {},
      })),
    });
  })
  .on(routes.mlflow.artifacts.completeUpload, async (c) => {
    const input = await mlflowInput(c, inputs.mpuComplete);
    const { pkg, path } = await pendingUpload(c, input.path);
    await completeUpload(store(c), pkg, path, input.upload_id, input.parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })));
    return c.json({});
  })
  .on(routes.mlflow.artifacts.abortUpload, async (c) => {
    const input = await mlflowInput(c, inputs.mpuAbort);
    const { pkg, path } = await pendingUpload(c, input.path);
    await abortUpload(store(c), pkg, path, input.upload_id);
    return c.json({});
  });
