/**
 * File transfers over HTTP, shared by the MLflow and GitLab protocols (and the UI).
 *
 * Downloads: the bytes of a package file streamed from R2 with
 * Content-Length, Content-Type, an ETag (the SHA-256), `If-None-Match` (304) and a single
 * `Range` (206; a range that cannot be served is ignored and the whole file sent). The file is
 * always an attachment with `nosniff`, so an uploaded page never runs on this origin.
 *
 * Uploads: the request body as a stream with its Content-Length (undefined when the client
 * sent none), and paths read from the raw URL, where `%2F` and `%2E` are still visible.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/env';
import { readFile, type ByteRange, type PackageFile } from '../packages/files';
import { baseName } from '../packages/paths';

function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '') || size === 0) return undefined;
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return suffix > 0 ? { offset: size - suffix, length: suffix } : undefined;
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start <= end && start < size ? { offset: start, length: end - start + 1 } : undefined;
}

/** The download response for `file`. */
export async function fileResponse(c: Context<AppEnv>, file: PackageFile): Promise<Response> {
  // The SHA-256, or for a file uploaded in parts its R2 object's random name: new bytes always
  // get a new object, so either names these exact bytes.
  const etag = `"${file.sha256 ?? file.r2Key.slice(file.r2Key.lastIndexOf('/') + 1)}"`;
  const name = baseName(file.filePath);
  const headers = new Headers({
    'content-type': file.contentType,
    etag,
    'accept-ranges': 'bytes',
    'last-modified': new Date(file.createdAt).toUTCString(),
    'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'x-content-type-options': 'nosniff',
  });
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return new Response(null, { status: 304, headers });
  const range = parseRange(c.req.header('range'), file.size);
  headers.set('content-length', String(range ? range.length : file.size));
  if (range) headers.set('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
  if (c.req.method === 'HEAD') return new Response(null, { status: range ? 206 : 200, headers });
  const body = await readFile(c.env.ARTIFACTS, file, range);
  return new Response(body, { status: range ? 206 : 200, headers });
}

/** The request body to store, with its length when the client announced it. */
export function uploadBody(c: Context): { body: ReadableStream<Uint8Array>; length: number | undefined } {
  const body = c.req.raw.body;
  if (!body) return { body: new ReadableStream({ start: (controller) => controller.close() }), length: 0 };
  const header = c.req.header('content-length');
  return { body, length: header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined };
}
