/**
 * Package rows: find, create, list and delete the generic packages of a project, and the ML
 * packages other parts ask for (a candidate's, a logged model's, a model version's).
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { packages, packageUploads } from '../db/schema';
import { NotFoundError } from '../errors';
import { checkIdentity, candidatePackageName, loggedModelPackageName, ML_VERSION, modelVersionPackageName } from './names';
import { checkOwner } from './owners';
import { deletePrefix, packagePrefix, projectPrefix } from './storage';

/** A package row. */
export type Package = typeof packages.$inferSelect;

/** What the package functions that touch bytes need. */
export type PackageStore = { db: Database; bucket: R2Bucket };

/** The only package type stored today. */
export const GENERIC = 'generic';

const now = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

async function checkName(db: Database, projectId: number, name: string, version: string) {
  const owner = checkIdentity(name, version);
  if (owner) await checkOwner(db, projectId, owner);
}

/**
 * The package `name`/`version` of the project, or undefined when nothing was stored in it yet.
 * A bad name is an InvalidInputError; an `ml_` name whose owner is not in the project a
 * NotFoundError.
 */
export async function resolvePackage(db: Database, projectId: number, name: string, version: string): Promise<Package | undefined> {
  await checkName(db, projectId, name, version);
  return db
    .select()
    .from(packages)
    .where(and(eq(packages.projectId, projectId), eq(packages.packageType, GENERIC), eq(packages.name, name), eq(packages.version, version)))
    .get();
}

/** Like `resolvePackage`, but creates the package when it does not exist yet. */
export async function ensurePackage(db: Database, projectId: number, name: string, version: string): Promise<Package> {
  await checkName(db, projectId, name, version);
  const [row] = await db
    .insert(packages)
    .values({ projectId, name, version, packageType: GENERIC })
    .onConflictDoUpdate({ target: [packages.projectId, packages.packageType, packages.name, packages.version], set: { updatedAt: now } })
    .returning();
  return row;
}

/** A package of the project by id (NotFoundError otherwise). */
export async function getPackage(db: Database, projectId: number, packageId: number): Promise<Package> {
  const row = await db.select().from(packages).where(and(eq(packages.id, packageId), eq(packages.projectId, projectId))).get();
  if (!row) throw new NotFoundError('404 Package Not Found');
  return row;
}

/** Filters and order for listing packages. */
export type PackageQuery = {
  /** Case-insensitive part of the name. */
  name?: string;
  type?: string;
  /** Whether `ml_` packages are included (the feature flag is on). */
  includeMl: boolean;
  orderBy?: 'created_at' | 'name' | 'version' | 'type';
  sort?: 'asc' | 'desc';
  limit: number;
  offset: number;
};

/** The packages of a project, filtered, ordered and paged. */
export async function listPackages(db: Database, projectId: number, query: PackageQuery): Promise<Package[]> {
  const column = { created_at: packages.createdAt, name: packages.name, version: packages.version, type: packages.packageType }[query.orderBy ?? 'created_at'];
  const direction = query.sort === 'desc' ? desc : asc;
  return db
    .select()
    .from(packages)
    .where(
      and(
        eq(packages.projectId, projectId),
        query.type ? eq(packages.packageType, query.type) : undefined,
        query.name ? sql`instr(lower(${packages.name}), lower(${query.name})) > 0` : undefined,
        query.includeMl ? undefined : sql`${packages.name} NOT LIKE 'ml\\_%' ESCAPE '\\'`,
      ),
    )
    .orderBy(direction(column), direction(packages.id))
    .limit(query.limit)
    .offset(query.offset);
}

/**
 * Deletes a package for good: its unfinished multipart uploads are aborted, its objects
 * removed from R2 (everything under its prefix), then its rows (files and uploads cascade).
 */
export async function deletePackage(store: PackageStore, pkg: Package): Promise<void> {
  const uploads = await store.db.select().from(packageUploads).where(eq(packageUploads.packageId, pkg.id));
  for (const upload of uploads) {
    await store.bucket.resumeMultipartUpload(upload.r2Key, upload.uploadId).abort().catch(() => undefined);
  }
  await deletePrefix(store.bucket, packagePrefix(pkg.projectId, pkg.id));
  await store.db.delete(packages).where(eq(packages.id, pkg.id));
}

/** Deletes the R2 objects of a whole project (call after or before deleting its rows). */
export async function deleteProjectObjects(bucket: R2Bucket, projectId: number): Promise<void> {
  await deletePrefix(bucket, projectPrefix(projectId));
}

// ------------------------------------------------------------------ ML packages

/** A candidate's artifacts package, if anything was logged (NotFoundError if the candidate is not in the project). */
export const resolveCandidatePackage = (db: Database, projectId: number, candidateId: number) =>
  resolvePackage(db, projectId, candidatePackageName(candidateId), ML_VERSION);

/** A candidate's artifacts package, created if needed. */
export const ensureCandidatePackage = (db: Database, projectId: number, candidateId: number) =>
  ensurePackage(db, projectId, candidatePackageName(candidateId), ML_VERSION);

/** A logged model's artifacts package, if anything was logged. */
export const resolveLoggedModelPackage = (db: Database, projectId: number, seq: number) =>
  resolvePackage(db, projectId, loggedModelPackageName(seq), ML_VERSION);

/** A logged model's artifacts package, created if needed. */
export const ensureLoggedModelPackage = (db: Database, projectId: number, seq: number) =>
  ensurePackage(db, projectId, loggedModelPackageName(seq), ML_VERSION);

/** A model version's package, if anything was stored in it. */
export const resolveModelVersionPackage = (db: Database, projectId: number, modelVersionId: number) =>
  resolvePackage(db, projectId, modelVersionPackageName(modelVersionId), ML_VERSION);

/** A model version's package, created if needed. */
export const ensureModelVersionPackage = (db: Database, projectId: number, modelVersionId: number) =>
  ensurePackage(db, projectId, modelVersionPackageName(modelVersionId), ML_VERSION);

/**
 * Deletes the packages of candidates for good (rows and R2 objects): for a candidate's hard
 * delete. Works whether or not the candidate rows still exist; a candidate without a
 * package is skipped.
 */
export async function deleteCandidatePackages(store: PackageStore, projectId: number, candidateIds: number[]): Promise<void> {
  for (let i = 0; i < candidateIds.length; i += 90) {
    const names = candidateIds.slice(i, i + 90).map(candidatePackageName);
    const rows = await store.db
      .select()
      .from(packages)
      .where(and(eq(packages.projectId, projectId), eq(packages.packageType, GENERIC), eq(packages.version, ML_VERSION), inArray(packages.name, names)));
    for (const row of rows) await deletePackage(store, row);
  }
}
