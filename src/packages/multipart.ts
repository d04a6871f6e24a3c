/**
 * Multipart uploads (MLflow's `mpu/create|complete|abort`) onto R2 multipart uploads. `create`
 * hands out one signed credential per part; a part is then PUT without any token to a URL that
 * carries its credential:
 *
 *   signature = hex(HMAC-SHA256(part key, "<upload id>:<part number>:<number of parts>:<expires>"))
 *
 * where the part key is 32 random bytes made for that upload alone and kept only in D1
 * (`package_uploads.part_key`), and `expires` is a unix time in seconds, `PART_URL_TTL_SECONDS`
 * after `create`. A forged, altered or expired credential is refused (ForbiddenError). Parts
 * stream into R2; all but the last must be at least 5 MiB (R2's rule). Repeating a part replaces
 * it. `complete` joins the parts and records the file; `abort` drops everything.
 *
 * Completing is safe to repeat (the client retries on network errors): the upload's row stays,
 * marked with the parts it was completed with, until the scheduled cleanup removes it
 * (`UPLOAD_RETENTION_MS`). A repeat with the same parts answers as the first did, also when the
 * first was cut off between R2 and D1; one with other parts is refused (ConflictError). The
 * parts are claimed in D1 before R2 joins them, so two completes never record different files.
 */
import { and, eq, isNull, or } from 'drizzle-orm';
import { randomHex, timingSafeEqual, toHex } from '../access/crypto';
import { packageUploads, packages } from '../db/schema';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, TooLargeError } from '../errors';
import { contentTypeFor } from './content-types';
import { checkNoClash, recordFile } from './files';
import type { Package, PackageStore } from './packages';
import { normalizePath } from './paths';
import { MAX_PART_BYTES, MAX_PARTS, MIN_PART_BYTES, newBlobKey } from './storage';

/** How long a part URL stays valid. */
export const PART_URL_TTL_SECONDS = 60 * 60;

/** What a part URL carries besides the upload id. */
export type PartCredential = { partNumber: number; numParts: number; expires: number; signature: string };

/** An uploaded part, as the client reports it back to `complete`. */
export type UploadedPart = { partNumber: number; etag: string };

const encoder = new TextEncoder();

async function sign(partKey: string, uploadId: string, partNumber: number, numParts: number, expires: number): Promise<string> {
  const keyBytes = Uint8Array.from(partKey.match(/../g) ?? [], (h) => parseInt(h, 16));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${uploadId}:${partNumber}:${numParts}:${expires}`));
  return toHex(new Uint8Array(mac));
}

/** Starts a multipart upload of `numParts` parts to `rawPath` in the package. */
export async function createUpload(
  store: PackageStore,
  pkg: Package,
  rawPath: string,
  numParts: number,
  userId: number | null,
): Promise<{ uploadId: string; credentials: PartCredential[] }> {
  const path = normalizePath(rawPath, 'path');
  if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) {
    throw new InvalidInputError(`num_parts must be between 1 and ${MAX_PARTS}`, 'num_parts');
  }
  await checkNoClash(store.db, pkg.id, path);
  const key = newBlobKey(pkg.projectId, pkg.id);
  const upload = await store.bucket.createMultipartUpload(key, { httpMetadata: { contentType: contentTypeFor(path, null) } });
  const partKey = randomHex(32);
  await store.db.insert(packageUploads).values({ uploadId: upload.uploadId, packageId: pkg.id, filePath: path, r2Key: key, partKey, userId });
  const expires = Math.floor(Date.now() / 1000) + PART_URL_TTL_SECONDS;
  const credentials: PartCredential[] = [];
  for (let n = 1; n <= numParts; n++) {
    credentials.push({ partNumber: n, numParts, expires, signature: await sign(partKey, upload.uploadId, n, numParts, expires) });
  }
  return { uploadId: upload.uploadId, credentials };
}

/**
 * Stores one part, checking its credential first. `length` is the part's Content-Length
 * (required: R2 needs it, and parts always have one). Returns R2's ETag for the part.
 */
export async function uploadPart(
  store: PackageStore,
  projectId: number,
  uploadId: string,
  credential: PartCredential,
  body: ReadableStream<Uint8Array>,
  length: number | undefined,
): Promise<{ etag: string }> {
  const row = await store.db
    .select({ r2Key: packageUploads.r2Key, partKey: packageUploads.partKey })
    .from(packageUploads)
    .innerJoin(packages, eq(packages.id, packageUploads.packageId))
    .where(and(eq(packageUploads.uploadId, uploadId), eq(packages.projectId, projectId), isNull(packageUploads.completedParts)))
    .get();
  if (!row) throw new NotFoundError('Upload not found: it was completed, aborted, or never started');
  const { partNumber, numParts, expires, signature } = credential;
  const expected = await sign(row.partKey, uploadId, partNumber, numParts, expires);
  if (!timingSafeEqual(expected, signature.toLowerCase())) {
    throw new ForbiddenError('invalid part signature');
  }
  if (expires < Date.now() / 1000) throw new ForbiddenError('this part URL has expired; start the upload again');
  if (partNumber < 1 || partNumber > numParts) throw new InvalidInputError('part number out of range', 'part_number');
  if (length === undefined) throw new InvalidInputError('a part needs a Content-Length');
  if (length > MAX_PART_BYTES) throw new TooLargeError(`a part may hold at most ${MAX_PART_BYTES} bytes`);
  if (partNumber < numParts && length < MIN_PART_BYTES) {
    throw new InvalidInputError(`every part but the last must hold at least ${MIN_PART_BYTES} bytes (5 MiB); raise MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE`);
  }
  const fixed = new FixedLengthStream(length);
  const upload = store.bucket.resumeMultipartUpload(row.r2Key, uploadId);
  const [part, piped] = await Promise.allSettled([upload.uploadPart(partNumber, fixed.readable), body.pipeTo(fixed.writable)]);
  if (piped.status === 'rejected') throw new InvalidInputError(`the part did not carry the ${length} bytes announced by Content-Length`);
  if (part.status === 'rejected') throw part.reason;
  return { etag: part.value.etag };
}

async function findUpload(store: PackageStore, pkg: Package, rawPath: string, uploadId: string) {
  const path = normalizePath(rawPath, 'path');
  const row = await store.db
    .select()
    .from(packageUploads)
    .where(and(eq(packageUploads.uploadId, uploadId), eq(packageUploads.packageId, pkg.id), eq(packageUploads.filePath, path)))
    .get();
  if (!row) throw new NotFoundError(`Upload '${uploadId}' of '${path}' not found`);
  return row;
}

/** The parts as recorded: sorted by number, ETags without quotes. */
function normalizeParts(parts: UploadedPart[]): UploadedPart[] {
  return [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ partNumber: p.partNumber, etag: p.etag.replace(/^(W\/)?"|"$/g, '') }));
}

/**
 * Joins the uploaded parts into the file at `rawPath` and records it. Repeating it with the same
 * parts answers as the first did; other parts after a complete are a ConflictError.
 */
export async function completeUpload(store: PackageStore, pkg: Package, rawPath: string, uploadId: string, parts: UploadedPart[]): Promise<void> {
  const row = await findUpload(store, pkg, rawPath, uploadId);
  if (parts.length === 0) throw new InvalidInputError('parts must list the uploaded parts', 'parts');
  const sorted = normalizeParts(parts);
  const claim = JSON.stringify(sorted.map((p) => [p.partNumber, p.etag]));
  const otherParts = () => new ConflictError(`upload '${uploadId}' was already completed with other parts; start a new upload to store other bytes`);
  if (row.completedParts !== null && row.completedParts !== claim) throw otherParts();
  if (row.completedAt !== null) return;
  const claimed = await store.db
    .update(packageUploads)
    .set({ completedParts: claim })
    .where(and(eq(packageUploads.uploadId, uploadId), or(isNull(packageUploads.completedParts), eq(packageUploads.completedParts, claim))))
    .returning({ uploadId: packageUploads.uploadId });
  if (claimed.length === 0) throw otherParts();
  let size: number;
  try {
    size = (await store.bucket.resumeMultipartUpload(row.r2Key, uploadId).complete(sorted)).size;
  } catch (error) {
    // An earlier complete with these parts may have joined them and been cut off before D1: the object is there.
    const joined = await store.bucket.head(row.r2Key);
    if (!joined) {
      await store.db.update(packageUploads).set({ completedParts: null }).where(and(eq(packageUploads.uploadId, uploadId), isNull(packageUploads.completedAt)));
      throw new InvalidInputError(`the parts could not be joined: ${error instanceof Error ? error.message : String(error)}`, 'parts');
    }
    size = joined.size;
  }
  // No SHA-256: hashing would read the whole object back, and the parts came on separate requests.
  await recordFile(store, pkg, row.filePath, row.r2Key, { size, sha256: null }, contentTypeFor(row.filePath, null), row.userId);
  await store.db.update(packageUploads).set({ completedAt: Date.now() }).where(eq(packageUploads.uploadId, uploadId));
}

/** Abandons an upload: R2 drops its parts, and the upload is forgotten. Aborting a completed upload keeps its file. */
export async function abortUpload(store: PackageStore, pkg: Package, rawPath: string, uploadId: string): Promise<void> {
  const row = await findUpload(store, pkg, rawPath, uploadId);
  if (row.completedAt !== null) return;
  await store.bucket.resumeMultipartUpload(row.r2Key, uploadId).abort().catch(() => undefined);
  await store.db.delete(packageUploads).where(eq(packageUploads.uploadId, uploadId));
}
