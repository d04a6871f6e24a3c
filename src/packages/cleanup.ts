/**
 * What uploads leave behind, cleaned by the cron trigger (wrangler.toml, every 5 minutes), a
 * bounded batch per run:
 *
 * - a multipart upload never completed, `UNFINISHED_UPLOAD_MAX_AGE_MS` (7 days, R2's own
 *   default for aborting multipart uploads) after it started: R2 drops its parts, its row goes;
 * - a completed upload's row, kept `COMPLETED_UPLOAD_KEPT_MS` (1 day) so that a repeated complete
 *   answers as the first did (multipart.ts);
 * - a package with no file and no upload, unchanged for `EMPTY_PACKAGE_GRACE_MS` (1 hour; an
 *   upload killed or refused before its file was recorded leaves one): its row and whatever
 *   objects are left under its prefix.
 *
 * Each removal is guarded in the statement itself, so an upload that starts meanwhile is kept.
 */
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { packageFiles, packageUploads, packages } from '../db/schema';
import type { PackageStore } from './packages';
import { deletePrefix, packagePrefix } from './storage';

/** An upload not completed this long after it started is aborted. */
export const UNFINISHED_UPLOAD_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** A completed upload is remembered this long (for a repeated complete). */
export const COMPLETED_UPLOAD_KEPT_MS = 24 * 3600 * 1000;
/** A package with no file and no upload is deleted this long after it last changed. */
export const EMPTY_PACKAGE_GRACE_MS = 3600 * 1000;
/** At most this many uploads and packages are removed per run; the next run takes the rest. */
export const CLEANUP_BATCH = 100;

/** What one run removed. */
export type CleanupResult = { abortedUploads: number; forgottenUploads: number; deletedPackages: number };

/** Removes stale uploads and empty packages (see above), as of `now`. */
export async function cleanUpPackages(store: PackageStore, now = Date.now()): Promise<CleanupResult> {
  const { db, bucket } = store;
  const stale = await db
    .select({ uploadId: packageUploads.uploadId, r2Key: packageUploads.r2Key })
    .from(packageUploads)
    .where(and(isNull(packageUploads.completedAt), lt(packageUploads.createdAt, now - UNFINISHED_UPLOAD_MAX_AGE_MS)))
    .limit(CLEANUP_BATCH);
  for (const upload of stale) {
    await bucket.resumeMultipartUpload(upload.r2Key, upload.uploadId).abort().catch(() => undefined);
    await db.delete(packageUploads).where(and(eq(packageUploads.uploadId, upload.uploadId), isNull(packageUploads.completedAt)));
  }
  const forgotten = await db
    .delete(packageUploads)
    .where(and(isNotNull(packageUploads.completedAt), lt(packageUploads.completedAt, now - COMPLETED_UPLOAD_KEPT_MS)))
    .returning({ uploadId: packageUploads.uploadId });
  // One statement picks and deletes: a package that gets a file or an upload meanwhile no longer matches.
  const empty = await db
    .delete(packages)
    .where(
      sql`${packages.id} IN (SELECT p.id FROM ${packages} p WHERE p.updated_at < ${now - EMPTY_PACKAGE_GRACE_MS}
        AND NOT EXISTS (SELECT 1 FROM ${packageFiles} f WHERE f.package_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM ${packageUploads} u WHERE u.package_id = p.id)
        ORDER BY p.id LIMIT ${CLEANUP_BATCH})`,
    )
    .returning({ id: packages.id, projectId: packages.projectId });
  for (const pkg of empty) await deletePrefix(bucket, packagePrefix(pkg.projectId, pkg.id));
  return { abortedUploads: stale.length, forgottenUploads: forgotten.length, deletedPackages: empty.length };
}
