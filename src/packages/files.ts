/**
 * The files of a package: upload (streamed into R2, SHA-256 computed on the way), read,
 * list a directory at any depth, delete a file or a directory. Directories are implied by the
 * files' paths; a path cannot be both a file and a directory.
 */
import { and, asc, eq, gte, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { packageFiles, packages } from '../db/schema';
import { ConflictError, NotFoundError } from '../errors';
import { contentTypeFor } from './content-types';
import type { Package, PackageStore } from './packages';
import { ancestorsOf, normalizePath, rangeUnder } from './paths';
import { deleteKeys, newBlobKey, putStream, type Stored } from './storage';

/** A package file row. */
export type PackageFile = typeof packageFiles.$inferSelect;

/** One entry of a directory listing: a name relative to the directory. */
export type DirEntry = { path: string; isDir: boolean; size?: number };

const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

// Paths under `dir` (normalised), for WHERE clauses.
function under(dir: string) {
  const range = rangeUnder(dir);
  return range ? and(gte(packageFiles.filePath, range.from), lt(packageFiles.filePath, range.to)) : undefined;
}

/** Refuses a path whose ancestor is a file, or which is already a directory (ConflictError). */
export async function checkNoClash(db: Database, packageId: number, path: string): Promise<void> {
  const ancestors = ancestorsOf(path);
  const clash = await db
    .select({ filePath: packageFiles.filePath })
    .from(packageFiles)
    .where(
      and(
        eq(packageFiles.packageId, packageId),
        or(
          ancestors.length > 0 ? sql`${packageFiles.filePath} IN (SELECT value FROM json_each(${JSON.stringify(ancestors)}))` : undefined,
          under(path),
        ),
      ),
    )
    .limit(1)
    .get();
  if (clash) {
    throw new ConflictError(
      clash.filePath.length < path.length ? `'${clash.filePath}' is a file, so '${path}' cannot be inside it` : `'${path}' is a directory`,
    );
  }
}

/** What an upload says about its body. */
export type UploadInfo = {
  /** The body's length when known (Content-Length); unknown lengths are spooled through multipart. */
  length?: number;
  /** The Content-Type the uploader sent. */
  contentType?: string | null;
  userId?: number | null;
};

/**
 * Stores a file at `rawPath` (checked and normalised) in the package, streaming `body` into R2.
 * An existing file at that path is replaced. Nothing is written when the path is refused.
 */
export async function putFile(store: PackageStore, pkg: Package, rawPath: string, body: ReadableStream<Uint8Array>, info: UploadInfo): Promise<PackageFile> {
  const path = normalizePath(rawPath, 'file_path');
  await checkNoClash(store.db, pkg.id, path);
  const key = newBlobKey(pkg.projectId, pkg.id);
  const contentType = contentTypeFor(path, info.contentType);
  const stored = await putStream(store.bucket, key, body, info.length, contentType);
  return recordFile(store, pkg, path, key, stored, contentType, info.userId ?? null);
}

/**
 * Records stored bytes as the file at `path` (replacing any file there, whose object is then
 * deleted). If the row cannot be written (the package was deleted meanwhile), the new object
 * is deleted.
 */
export async function recordFile(store: PackageStore, pkg: Package, path: string, key: string, stored: Stored, contentType: string, userId: number | null): Promise<PackageFile> {
  let previous: { r2Key: string } | undefined;
  let row: PackageFile;
  try {
    const [old, [inserted]] = await store.db.batch([
      store.db.select({ r2Key: packageFiles.r2Key }).from(packageFiles).where(and(eq(packageFiles.packageId, pkg.id), eq(packageFiles.filePath, path))),
      store.db
        .insert(packageFiles)
        .values({ packageId: pkg.id, filePath: path, size: stored.size, sha256: stored.sha256, contentType, r2Key: key, userId })
        .onConflictDoUpdate({
          target: [packageFiles.packageId, packageFiles.filePath],
          set: { size: stored.size, sha256: stored.sha256, contentType, r2Key: key, userId, createdAt: now },
        })
        .returning(),
      store.db.update(packages).set({ updatedAt: now }).where(eq(packages.id, pkg.id)),
    ]);
    previous = old[0];
    row = inserted;
  } catch (error) {
    await store.bucket.delete(key).catch(() => undefined);
    throw /FOREIGN KEY/i.test(String(error)) ? new NotFoundError('404 Package Not Found') : error;
  }
  if (previous && previous.r2Key !== key) await store.bucket.delete(previous.r2Key);
  return row;
}

/** The file at `rawPath` in the package (NotFoundError if there is none). */
export async function getFile(db: Database, pkg: Package | undefined, rawPath: string): Promise<PackageFile> {
  const path = normalizePath(rawPath, 'file_path');
  const row = pkg && (await db.select().from(packageFiles).where(and(eq(packageFiles.packageId, pkg.id), eq(packageFiles.filePath, path))).get());
  if (!row) throw new NotFoundError(`File '${path}' not found`);
  return row;
}

/** A file of the package by id (NotFoundError otherwise). */
export async function getFileById(db: Database, pkg: Package, fileId: number): Promise<PackageFile> {
  const row = await db.select().from(packageFiles).where(and(eq(packageFiles.id, fileId), eq(packageFiles.packageId, pkg.id))).get();
  if (!row) throw new NotFoundError('404 Package File Not Found');
  return row;
}

/** A byte range to read: `length` bytes from `offset`. */
export type ByteRange = { offset: number; length: number };

/** Opens a file's bytes (all, or a range) as a stream. */
export async function readFile(bucket: R2Bucket, file: PackageFile, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
  const object = await bucket.get(file.r2Key, range ? { range } : undefined);
  if (!object) throw new NotFoundError(`The bytes of '${file.filePath}' are missing from storage`);
  return object.body;
}

/**
 * The entries directly inside directory `rawDir` (`""` is the package root), sorted by name:
 * files with their size, directories without. A path that is a file, or that holds nothing,
 * lists nothing (as MLflow's server answers).
 */
export async function listDirectory(db: Database, pkg: Package | undefined, rawDir: string): Promise<DirEntry[]> {
  const dir = normalizePath(rawDir, 'path', { allowEmpty: true });
  if (!pkg) return [];
  const prefix = dir === '' ? '' : `${dir}/`;
  const range = rangeUnder(dir);
  const rows = await db.all<{ name: string; is_dir: number; size: number | null }>(sql`
    SELECT name, MAX(is_dir) AS is_dir, MAX(CASE WHEN is_dir = 0 THEN size END) AS size FROM (
      SELECT CASE WHEN instr(rest, '/') > 0 THEN substr(rest, 1, instr(rest, '/') - 1) ELSE rest END AS name,
             instr(rest, '/') > 0 AS is_dir, size
      FROM (SELECT substr(file_path, length(${prefix}) + 1) AS rest, size FROM package_files
            WHERE package_id = ${pkg.id} ${range ? sql`AND file_path >= ${range.from} AND file_path < ${range.to}` : sql``})
    ) GROUP BY name ORDER BY name`);
  return rows.map((r) => (r.is_dir ? { path: r.name, isDir: true } : { path: r.name, isDir: false, size: r.size ?? 0 }));
}

/** All files of a package, by path, paged. */
export async function listFiles(db: Database, pkg: Package, page: { limit: number; offset: number } = { limit: 10_000, offset: 0 }): Promise<PackageFile[]> {
  return db.select().from(packageFiles).where(eq(packageFiles.packageId, pkg.id)).orderBy(asc(packageFiles.filePath)).limit(page.limit).offset(page.offset);
}

/**
 * Deletes the file at `rawPath`, or everything under it when it is a directory (`""`: the
 * whole package content). Returns how many files went; deleting nothing is not an error.
 */
export async function deletePath(store: PackageStore, pkg: Package | undefined, rawPath: string): Promise<number> {
  const path = normalizePath(rawPath, 'path', { allowEmpty: true });
  if (!pkg) return 0;
  const gone = await store.db
    .delete(packageFiles)
    .where(and(eq(packageFiles.packageId, pkg.id), path === '' ? undefined : or(eq(packageFiles.filePath, path), under(path))))
    .returning({ r2Key: packageFiles.r2Key });
  await deleteKeys(store.bucket, gone.map((g) => g.r2Key));
  return gone.length;
}

/** Deletes one file by id. */
export async function deleteFile(store: PackageStore, pkg: Package, fileId: number): Promise<void> {
  const [gone] = await store.db
    .delete(packageFiles)
    .where(and(eq(packageFiles.id, fileId), eq(packageFiles.packageId, pkg.id)))
    .returning({ r2Key: packageFiles.r2Key });
  if (!gone) throw new NotFoundError('404 Package File Not Found');
  await store.bucket.delete(gone.r2Key);
}
