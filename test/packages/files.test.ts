import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { candidates, loggedModels, modelVersions, packageFiles, packages, registeredModels } from '../../src/db/schema';
import { ConflictError, InvalidInputError, NotFoundError } from '../../src/errors';
import { deletePath, getFile, listDirectory, listFiles, putFile, readFile } from '../../src/packages/files';
import { candidatePackageName, ML_VERSION } from '../../src/packages/names';
import {
  deleteCandidatePackages,
  deletePackage,
  ensureCandidatePackage,
  ensureLoggedModelPackage,
  ensureModelVersionPackage,
  ensurePackage,
  resolveCandidatePackage,
  resolvePackage,
} from '../../src/packages/packages';
import { packagePrefix, SPOOL_PART_BYTES } from '../../src/packages/storage';
import { db, seedProject, seedUser } from '../helpers';
import { bytes, chunked, r2Keys, seedCandidate, sha256 } from './seed';

const store = () => ({ db: db(), bucket: env.ARTIFACTS });
const streamOf = (data: Uint8Array | string) => new Response(data).body!;
const len = (data: Uint8Array | string) => (typeof data === 'string' ? new TextEncoder().encode(data).length : data.length);

async function put(pkg: Awaited<ReturnType<typeof ensurePackage>>, path: string, data: Uint8Array | string, contentType?: string) {
  return putFile(store(), pkg, path, streamOf(data), { length: len(data), contentType });
}

async function setup() {
  const { user } = await seedUser();
  const project = await seedProject(user.id);
  const candidateId = await seedCandidate(project.id);
  const pkg = await ensureCandidatePackage(db(), project.id, candidateId);
  return { user, project, candidateId, pkg };
}

describe('package files', { timeout: 30_000 }, () => {
  it('stores a file in R2 with its size, SHA-256 and content type, and reads it back', async () => {
    const { pkg } = await setup();
    const data = bytes(300_000, 7);
    const file = await put(pkg, 'weights/model.bin', data, 'application/octet-stream');
    expect(file).toMatchObject({ filePath: 'weights/model.bin', size: data.length, sha256: await sha256(data), contentType: 'application/octet-stream' });
    expect(file.r2Key.startsWith(packagePrefix(pkg.projectId, pkg.id))).toBe(true);
    const back = new Uint8Array(await new Response(await readFile(env.ARTIFACTS, file)).arrayBuffer());
    expect(await sha256(back)).toBe(file.sha256);
    const range = await new Response(await readFile(env.ARTIFACTS, file, { offset: 10, length: 5 })).arrayBuffer();
    expect([...new Uint8Array(range)]).toEqual([...data.slice(10, 15)]);
  });

  it('guesses content types when none (or a form encoding) is sent', async () => {
    const { pkg } = await setup();
    expect((await put(pkg, 'config.json', '{}')).contentType).toBe('text/plain');
    expect((await put(pkg, 'plot.png', 'png', 'application/x-www-form-urlencoded')).contentType).toBe('image/png');
    expect((await put(pkg, 'blob', 'x')).contentType).toBe('application/octet-stream');
    expect((await put(pkg, 'notes.md', '# hi', 'text/markdown; charset=utf-8')).contentType).toBe('text/markdown; charset=utf-8');
  });

  it('streams a body of unknown length through multipart, hashing it on the way', async () => {
    const { pkg } = await setup();
    const data = bytes(SPOOL_PART_BYTES * 2 + 12_345, 3);
    const file = await putFile(store(), pkg, 'big/unknown-length.bin', chunked(data), {});
    expect(file.size).toBe(data.length);
    expect(file.sha256).toBe(await sha256(data));
    const head = await env.ARTIFACTS.head(file.r2Key);
    expect(head?.size).toBe(data.length);
    const small = await putFile(store(), pkg, 'small.txt', chunked(new TextEncoder().encode('tiny')), {});
    expect(small).toMatchObject({ size: 4, sha256: await sha256('tiny') });
  }, 60_000);

  it('refuses a body shorter than announced and stores nothing', async () => {
    const { pkg } = await setup();
    await expect(putFile(store(), pkg, 'short.bin', streamOf('abc'), { length: 10 })).rejects.toThrow(InvalidInputError);
    expect(await listFiles(db(), pkg)).toEqual([]);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(pkg.projectId, pkg.id))).toEqual([]);
  });

  it('replaces a file at the same path and deletes the old object', async () => {
    const { pkg } = await setup();
    const first = await put(pkg, 'a.txt', 'one');
    const second = await put(pkg, 'a.txt', 'two!');
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ size: 4, sha256: await sha256('two!') });
    expect(await env.ARTIFACTS.head(first.r2Key)).toBeNull();
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(pkg.projectId, pkg.id))).toEqual([second.r2Key]);
  });

  it('lists directories at every depth, as MLflow does', async () => {
    const { pkg } = await setup();
    for (const [path, data] of [['config.json', '{"a":1}'], ['model.bin', 'xx'], ['outputs/a.txt', 'A'], ['outputs/sub/b.csv', 'x,y\n'], ['outputs/sub/deeper/c.txt', 'ccc'], ['outputs-2/d.txt', 'd']] as const) {
      await put(pkg, path, data);
    }
    expect(await listDirectory(db(), pkg, '')).toEqual([
      { path: 'config.json', isDir: false, size: 7 },
      { path: 'model.bin', isDir: false, size: 2 },
      { path: 'outputs', isDir: true },
      { path: 'outputs-2', isDir: true },
    ]);
    expect(await listDirectory(db(), pkg, 'outputs')).toEqual([
      { path: 'a.txt', isDir: false, size: 1 },
      { path: 'sub', isDir: true },
    ]);
    expect(await listDirectory(db(), pkg, 'outputs/sub/')).toEqual([
      { path: 'b.csv', isDir: false, size: 4 },
      { path: 'deeper', isDir: true },
    ]);
    expect(await listDirectory(db(), pkg, 'outputs/sub/deeper')).toEqual([{ path: 'c.txt', isDir: false, size: 3 }]);
    expect(await listDirectory(db(), pkg, 'config.json')).toEqual([]);
    expect(await listDirectory(db(), pkg, 'nothing/here')).toEqual([]);
    expect(await listDirectory(db(), undefined, '')).toEqual([]);
    await expect(listDirectory(db(), pkg, 'outputs/../..')).rejects.toThrow(InvalidInputError);
  });

  it('refuses a path that is both a file and a directory', async () => {
    const { pkg } = await setup();
    await put(pkg, 'model', 'file');
    await expect(put(pkg, 'model/MLmodel', 'x')).rejects.toThrow(ConflictError);
    await put(pkg, 'dir/inner.txt', 'x');
    await expect(put(pkg, 'dir', 'x')).rejects.toThrow(ConflictError);
    expect((await listFiles(db(), pkg)).map((f) => f.filePath)).toEqual(['dir/inner.txt', 'model']);
  });

  it('refuses bad paths before writing anything', async () => {
    const { pkg } = await setup();
    for (const path of ['../x', '/abs', 'a\\b', 'a\u0000b', '%2e%2e/x', 'x'.repeat(2000)]) {
      await expect(put(pkg, path, 'x')).rejects.toThrow(InvalidInputError);
    }
    expect(await listFiles(db(), pkg)).toEqual([]);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(pkg.projectId, pkg.id))).toEqual([]);
  });

  it('deletes a file or a whole directory, with their objects', async () => {
    const { pkg } = await setup();
    const keep = await put(pkg, 'keep.txt', 'k');
    await put(pkg, 'd/a.txt', 'a');
    await put(pkg, 'd/e/b.txt', 'b');
    const single = await put(pkg, 'single.txt', 's');
    expect(await deletePath(store(), pkg, 'single.txt')).toBe(1);
    expect(await env.ARTIFACTS.head(single.r2Key)).toBeNull();
    expect(await deletePath(store(), pkg, 'd')).toBe(2);
    expect(await deletePath(store(), pkg, 'not-there')).toBe(0);
    expect((await listFiles(db(), pkg)).map((f) => f.filePath)).toEqual(['keep.txt']);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(pkg.projectId, pkg.id))).toEqual([keep.r2Key]);
    await expect(getFile(db(), pkg, 'd/a.txt')).rejects.toThrow(NotFoundError);
  });
});

describe('packages', { timeout: 30_000 }, () => {
  it('checks that an ml_ package names a candidate of the project', async () => {
    const { user, project, candidateId } = await setup();
    const other = await seedProject(user.id);
    await expect(ensureCandidatePackage(db(), other.id, candidateId)).rejects.toThrow(NotFoundError);
    await expect(resolvePackage(db(), project.id, candidatePackageName(candidateId), '1.0')).rejects.toThrow(InvalidInputError);
    await expect(resolvePackage(db(), project.id, 'ml_something', ML_VERSION)).rejects.toThrow(InvalidInputError);
    await expect(ensurePackage(db(), project.id, 'ml_model_999999', ML_VERSION)).rejects.toThrow(NotFoundError);
    await expect(ensurePackage(db(), project.id, 'ml_model_version_999999', ML_VERSION)).rejects.toThrow(NotFoundError);
    expect(await resolveCandidatePackage(db(), project.id, candidateId)).toMatchObject({ name: candidatePackageName(candidateId), version: '-' });
  });

  it('checks that logged model and model version packages name objects of the project', async () => {
    const { user, project, candidateId } = await setup();
    const other = await seedProject(user.id);
    const { experimentId } = (await db().select({ experimentId: candidates.experimentId }).from(candidates).where(eq(candidates.id, candidateId)).get())!;
    const [model] = await db().insert(loggedModels).values({ id: `m-${crypto.randomUUID().replace(/-/g, '')}`, projectId: project.id, experimentId, name: 'model' }).returning();
    const [registered] = await db().insert(registeredModels).values({ projectId: project.id, name: `rm-${model.seq}` }).returning();
    const [version] = await db().insert(modelVersions).values({ registeredModelId: registered.id, version: 1, source: 'runs:/x/model' }).returning();
    expect(await ensureLoggedModelPackage(db(), project.id, model.seq)).toMatchObject({ name: `ml_model_${model.seq}`, version: '-' });
    expect(await ensureModelVersionPackage(db(), project.id, version.id)).toMatchObject({ name: `ml_model_version_${version.id}`, version: '-' });
    await expect(ensureLoggedModelPackage(db(), other.id, model.seq)).rejects.toThrow(NotFoundError);
    await expect(ensureModelVersionPackage(db(), other.id, version.id)).rejects.toThrow(NotFoundError);
  });

  it('ensures one row per package', async () => {
    const { project } = await setup();
    const a = await ensurePackage(db(), project.id, 'tools', '1.0.0');
    const b = await ensurePackage(db(), project.id, 'tools', '1.0.0');
    expect(b.id).toBe(a.id);
    expect(await resolvePackage(db(), project.id, 'tools', '2.0.0')).toBeUndefined();
  });

  it('deleting a package removes its rows and every R2 object', async () => {
    const { pkg } = await setup();
    await put(pkg, 'a.txt', 'a');
    await put(pkg, 'b/c.txt', 'c');
    const stray = `${packagePrefix(pkg.projectId, pkg.id)}blobs/stray`;
    await env.ARTIFACTS.put(stray, 'left by a failed upload');
    await deletePackage(store(), pkg);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(pkg.projectId, pkg.id))).toEqual([]);
    expect(await db().select().from(packages).where(eq(packages.id, pkg.id))).toEqual([]);
    expect(await db().select().from(packageFiles).where(eq(packageFiles.packageId, pkg.id))).toEqual([]);
  });

  it("deletes candidates' packages for good, leaving other packages alone", async () => {
    const { project, candidateId, pkg } = await setup();
    const otherCandidate = await seedCandidate(project.id);
    const otherPkg = await ensureCandidatePackage(db(), project.id, otherCandidate);
    await put(pkg, 'a.txt', 'a');
    const kept = await put(otherPkg, 'b.txt', 'b');
    await deleteCandidatePackages(store(), project.id, [candidateId, 424242]);
    expect(await resolveCandidatePackage(db(), project.id, candidateId)).toBeUndefined();
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(project.id, pkg.id))).toEqual([]);
    expect(await env.ARTIFACTS.head(kept.r2Key)).not.toBeNull();
  });
});
