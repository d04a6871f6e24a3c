/**
 * The bytes of package files in R2 (`ARTIFACTS`). One key scheme keeps projects apart:
 *
 *   projects/<project id>/packages/<package id>/blobs/<32 random hex>
 *
 * A key never contains a file path (paths live in D1), so no path can reach outside its
 * package, and a re-uploaded file gets a fresh key (the old object is deleted once the row
 * points at the new one). Deleting a package deletes everything under its prefix, stray
 * objects of failed uploads included; deleting a project can do the same with `projectPrefix`.
 *
 * Bodies are streamed, never buffered whole: a body of known length goes through a
 * FixedLengthStream into one `put`; a body of unknown length (chunked transfer) goes into an R2
 * multipart upload, one part of `SPOOL_PART_BYTES` at a time. The SHA-256 is computed on the way;
 * a file the client uploads in parts (MLflow's multipart protocol) has none (`completeUpload`).
 */
import { randomHex, toHex } from '../access/crypto';
import { InvalidInputError } from '../errors';

/** The prefix of all objects of a project. */
export const projectPrefix = (projectId: number) => `projects/${projectId}/`;
/** The prefix of all objects of a package. */
export const packagePrefix = (projectId: number, packageId: number) => `${projectPrefix(projectId)}packages/${packageId}/`;
/** A fresh key for a new object of a package. */
export const newBlobKey = (projectId: number, packageId: number) => `${packagePrefix(projectId, packageId)}blobs/${randomHex(16)}`;

/** R2's smallest part (all but the last) of a multipart upload. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** R2's largest part. */
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
/** R2's largest number of parts. */
export const MAX_PARTS = 10_000;
/** The part size used for bodies of unknown length (the most held in memory at once). */
export const SPOOL_PART_BYTES = 8 * 1024 * 1024;

/** Size and SHA-256 (hex) of stored bytes; null when they were never read whole (multipart). */
export type Stored = { size: number; sha256: string | null };

/** The chunk size bodies are regrouped into on their way to R2. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * The bytes of `body` in chunks of CHUNK_BYTES (the last one shorter). Bytes arrive in network
 * chunks of a few KiB; every stage that handles chunks one by one in script (the digest here,
 * R2's writer locally) then pays its per-chunk cost once per MiB instead. A request body is a byte
 * stream, read with workerd's `readAtLeast`; a stream built by script is passed on as it is.
 */
function regrouped(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = body.getReader({ mode: 'byob' });
  } catch {
    return body;
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.readAtLeast(CHUNK_BYTES, new Uint8Array(CHUNK_BYTES));
      if (value && value.byteLength > 0) controller.enqueue(value);
      if (done) controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

// A pass-through stream that feeds every chunk to a SHA-256 digest.
function hashing(): { stream: TransformStream<Uint8Array, Uint8Array>; digest: () => Promise<string>; seen: () => number } {
  const digest = new crypto.DigestStream('SHA-256');
  const writer = digest.getWriter();
  let seen = 0;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      seen += chunk.byteLength;
      await writer.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await writer.close();
    },
  });
  return { stream, digest: async () => toHex(new Uint8Array(await digest.digest)), seen: () => seen };
}

/**
 * Streams `body` into R2 under `key` and returns its size and SHA-256. With `length` the body
 * must have exactly that many bytes (else InvalidInputError, nothing stored).
 */
export async function putStream(bucket: R2Bucket, key: string, body: ReadableStream<Uint8Array>, length: number | undefined, contentType: string): Promise<Stored> {
  const hash = hashing();
  const hashed = regrouped(body).pipeThrough(hash.stream);
  if (length === undefined) return spool(bucket, key, hashed, contentType, hash.digest);
  const fixed = new FixedLengthStream(length);
  const [put, piped] = await Promise.allSettled([bucket.put(key, fixed.readable, { httpMetadata: { contentType } }), hashed.pipeTo(fixed.writable)]);
  if (piped.status === 'rejected' || put.status === 'rejected') {
    await bucket.delete(key).catch(() => undefined);
    if (hash.seen() !== length) throw new InvalidInputError(`the body carried ${hash.seen()} bytes, not the ${length} announced by Content-Length`);
    throw piped.status === 'rejected' ? piped.reason : (put as PromiseRejectedResult).reason;
  }
  return { size: length, sha256: await hash.digest() };
}

// Unknown length: fill one part-sized buffer at a time and send it as a part of a multipart
// upload (or as a plain put if the body fits in one part).
async function spool(bucket: R2Bucket, key: string, body: ReadableStream<Uint8Array>, contentType: string, digest: () => Promise<string>): Promise<Stored> {
  const reader = body.getReader();
  let buffer = new Uint8Array(SPOOL_PART_BYTES);
  let filled = 0;
  let size = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.length) {
        const take = Math.min(value.length - offset, buffer.length - filled);
        buffer.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        size += take;
        if (filled === buffer.length) {
          upload ??= await bucket.createMultipartUpload(key, { httpMetadata: { contentType } });
          parts.push(await upload.uploadPart(parts.length + 1, buffer));
          buffer = new Uint8Array(SPOOL_PART_BYTES);
          filled = 0;
        }
      }
    }
    if (!upload) await bucket.put(key, buffer.subarray(0, filled), { httpMetadata: { contentType } });
    else {
      if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, buffer.subarray(0, filled)));
      await upload.complete(parts);
    }
  } catch (error) {
    await upload?.abort().catch(() => undefined);
    throw error;
  }
  return { size, sha256: await digest() };
}

/** Deletes objects by key (R2 takes up to 1000 keys a call). */
export async function deleteKeys(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/** Deletes every object under a prefix. */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  for (;;) {
    const listed = await bucket.list({ prefix, limit: 1000 });
    if (listed.objects.length > 0) await bucket.delete(listed.objects.map((o) => o.key));
    if (!listed.truncated) return;
  }
}
