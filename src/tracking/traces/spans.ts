/**
 * A trace's files in R2: its spans (`traces.json`, the client's own serialization, kept byte for
 * byte so `get_trace` returns every span exactly) and its attachments (`attachments/<id>`,
 * e.g. an image a span returned). Keys:
 *
 *   projects/<project id>/traces/<trace row id>/traces.json
 *   projects/<project id>/traces/<trace row id>/attachments/<attachment id>
 *
 * Bodies are streamed to and from R2, never held whole, except where a page reads the spans to
 * draw them (`readSpans`, capped at MAX_SPANS_BYTES_TO_READ).
 */
import type { Database } from '../../db/client';
import { InvalidInputError, NotFoundError, TooLargeError } from '../../errors';
import { deletePrefix, projectPrefix, putStream } from '../../packages/storage';
import { stmt } from '../d1';
import { traceRowId } from './visible';

/** The spans file of a trace, as MLflow's artifact repository names it. */
export const SPANS_FILE = 'traces.json';

/** The largest spans file a page reads to draw a trace. */
export const MAX_SPANS_BYTES_TO_READ = 32 * 1024 * 1024;

const ATTACHMENT = /^attachments\/[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const tracePrefix = (projectId: number, rowId: number) => `${projectPrefix(projectId)}traces/${rowId}/`;

/** Throws unless `path` is a file a trace has: `traces.json` or `attachments/<id>`. */
export function checkTraceFilePath(path: string): void {
  if (path !== SPANS_FILE && !ATTACHMENT.test(path)) {
    throw new InvalidInputError(`A trace holds ${SPANS_FILE} and attachments/<id>, not '${path.slice(0, 200)}'`, 'path');
  }
}

/** Stores a file of a visible trace, streamed; the spans file's size is recorded on the trace. */
export async function putTraceFile(
  db: Database,
  bucket: R2Bucket,
  projectId: number,
  traceId: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  length: number | undefined,
  contentType: string,
): Promise<void> {
  checkTraceFilePath(path);
  const rowId = await traceRowId(db, projectId, traceId);
  const stored = await putStream(bucket, tracePrefix(projectId, rowId) + path, body, length, contentType);
  if (path === SPANS_FILE) await stmt(db, `UPDATE traces SET spans_size = ? WHERE id = ?`, stored.size, rowId).run();
}

/** A file of a visible trace as a stream; NotFoundError when it was never uploaded. */
export async function getTraceFile(db: Database, bucket: R2Bucket, projectId: number, traceId: string, path: string): Promise<R2ObjectBody> {
  checkTraceFilePath(path);
  const rowId = await traceRowId(db, projectId, traceId);
  const object = await bucket.get(tracePrefix(projectId, rowId) + path);
  if (!object) throw new NotFoundError(`Trace '${traceId}' has no ${path}`);
  return object;
}

/** One span as MLflow serializes it (`Span.to_dict`); `attributes` values are JSON texts. */
export type Span = {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  start_time_unix_nano: number;
  end_time_unix_nano: number | null;
  status: { code: string; message: string };
  attributes: Record<string, string>;
  events: { name: string; time_unix_nano: number; attributes: Record<string, unknown> }[];
};

/** The spans of a trace row (for pages); [] before they are uploaded. */
export async function readSpans(bucket: R2Bucket, projectId: number, rowId: number): Promise<Span[]> {
  const object = await bucket.get(tracePrefix(projectId, rowId) + SPANS_FILE);
  if (!object) return [];
  if (object.size > MAX_SPANS_BYTES_TO_READ) {
    await object.body.cancel();
    throw new TooLargeError(`This trace's spans take ${object.size} bytes, more than the ${MAX_SPANS_BYTES_TO_READ} a page shows; read it with mlflow.get_trace`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await object.text());
  } catch {
    throw new InvalidInputError(`This trace's ${SPANS_FILE} is not JSON`);
  }
  const spans = (parsed as { spans?: unknown })?.spans;
  if (!Array.isArray(spans)) throw new InvalidInputError(`This trace's ${SPANS_FILE} holds no list of spans`);
  return spans.filter((s): s is Span => typeof s === 'object' && s !== null && typeof (s as Span).span_id === 'string').map(normalizeSpan);
}

function normalizeSpan(span: Span): Span {
  return {
    ...span,
    name: typeof span.name === 'string' ? span.name : '',
    parent_span_id: typeof span.parent_span_id === 'string' ? span.parent_span_id : null,
    start_time_unix_nano: Number(span.start_time_unix_nano) || 0,
    end_time_unix_nano: span.end_time_unix_nano == null ? null : Number(span.end_time_unix_nano),
    status: { code: String(span.status?.code ?? 'STATUS_CODE_UNSET'), message: String(span.status?.message ?? '') },
    attributes: typeof span.attributes === 'object' && span.attributes !== null ? span.attributes : {},
    events: Array.isArray(span.events) ? span.events : [],
  };
}

/** Deletes the files of trace rows (after their rows are gone). */
export async function deleteTraceObjects(bucket: R2Bucket, projectId: number, rowIds: number[]): Promise<void> {
  for (let i = 0; i < rowIds.length; i += 10) {
    await Promise.all(rowIds.slice(i, i + 10).map((id) => deletePrefix(bucket, tracePrefix(projectId, id))));
  }
}
