/**
 * MLflow 3 traces: their info (time, duration, state, previews, tags, metadata, assessments) in
 * D1; their spans in R2 (spans.ts). A trace belongs to an experiment of the project and is seen
 * only while that experiment is active: deleting the experiment hides its traces, restoring it
 * brings them back, deleting the project removes them (rows by cascade, bytes by prefix).
 *
 * The client logs a trace once it has finished (`StartTraceV3`, despite its name), then uploads
 * its spans; logging the same trace id again (a retried request) updates the info and merges
 * tags and metadata.
 */
import type { Database } from '../../db/client';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors';
import { all, batch, first, stmt } from '../d1';
import { getExperiment, parseExperimentIid, projectExperimentIds } from '../experiments';
import { searchTraceRowIds } from '../search';
import { parseAssessmentRow, type Assessment, type AssessmentRow } from './assessments';
import { deleteTraceObjects } from './spans';
import { traceNotFound, traceRowId, VISIBLE_TRACE } from './visible';

/** The states a trace may be in. */
export const TRACE_STATES = ['OK', 'ERROR', 'IN_PROGRESS', 'STATE_UNSPECIFIED'] as const;
export type TraceState = (typeof TRACE_STATES)[number];

/** The tag holding a trace's name (the root span's). */
export const TRACE_NAME_TAG = 'mlflow.traceName';
/** The metadata key naming the run a trace was logged in. */
export const SOURCE_RUN_METADATA = 'mlflow.sourceRun';
/** The metadata key naming the logged model a trace was logged for. */
export const MODEL_ID_METADATA = 'mlflow.modelId';
/** The tag listing the prompt versions linked to a trace (JSON). */
export const LINKED_PROMPTS_TAG = 'mlflow.linkedPrompts';

/** MLflow's limits on trace tags. */
const MAX_TAG_KEY = 250;
const MAX_TAG_VALUE = 8000;
/** MLflow's limit on the trace ids of one link-to-run. */
export const MAX_LINKED_TRACES = 100;

/** A trace's info, as the domain knows it. */
export type TraceInfo = {
  /** Row id (R2 keys, UI links). */
  id: number;
  traceId: string;
  /** The experiment's MLflow id. */
  experimentId: string;
  /** The experiment's internal id. */
  experimentRowId: number;
  requestTime: number;
  executionTime: number | null;
  state: TraceState;
  requestPreview: string | null;
  responsePreview: string | null;
  clientRequestId: string | null;
  spansSize: number | null;
  tags: Record<string, string>;
  metadata: Record<string, string>;
  assessments: Assessment[];
};

/** What the client logs for a trace. */
export type NewTrace = {
  traceId: string;
  experimentId: string;
  requestTime: number;
  executionTime: number | null;
  state: TraceState;
  requestPreview?: string;
  responsePreview?: string;
  clientRequestId?: string;
  tags: Record<string, string>;
  metadata: Record<string, string>;
};

/** A trace id as clients make them (`tr-<32 hex>`, or an OpenTelemetry-style id): no slashes, at most 128 characters. */
const TRACE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Throws unless `traceId` could name a trace. */
export function checkTraceId(traceId: string, field = 'trace_id'): void {
  if (!TRACE_ID.test(traceId)) throw new InvalidInputError(`Invalid ${field} '${traceId.slice(0, 200)}': letters, digits, '.', '_', ':' and '-', at most 128`, field);
}

function checkTag(key: string, value: string, field: string): void {
  if (key.length === 0 || key.length > MAX_TAG_KEY) throw new InvalidInputError(`${field}: a tag key has 1 to ${MAX_TAG_KEY} characters`, field);
  if (value.length > MAX_TAG_VALUE) throw new InvalidInputError(`${field}: the value of tag '${key}' exceeds ${MAX_TAG_VALUE} characters`, field);
}

/**
 * Logs (or logs again) a finished trace's info; returns it as stored. One round trip when all is
 * well: the writes are guarded by "the experiment is the project's and active" and the batch ends
 * by reading the trace back; only when that read finds no trace of this experiment is the reason
 * looked up, to word the error.
 */
export async function createTrace(db: Database, projectId: number, input: NewTrace): Promise<TraceInfo> {
  checkTraceId(input.traceId);
  if (!TRACE_STATES.includes(input.state)) throw new InvalidInputError(`Invalid state '${input.state}': use one of ${TRACE_STATES.join(', ')}`, 'state');
  if (!Number.isSafeInteger(input.requestTime) || input.requestTime < 0) throw new InvalidInputError('request_time must be a time after 1970', 'request_time');
  if (input.executionTime !== null && (!Number.isSafeInteger(input.executionTime) || input.executionTime < 0)) {
    throw new InvalidInputError('execution_duration must not be negative', 'execution_duration');
  }
  for (const [key, value] of Object.entries(input.tags)) checkTag(key, value, 'tags');
  for (const key of Object.keys(input.metadata)) if (key.length === 0 || key.length > MAX_TAG_KEY) throw new InvalidInputError(`trace_metadata: a key has 1 to ${MAX_TAG_KEY} characters`, 'trace_metadata');
  const iid = parseExperimentIid(input.experimentId);
  if (iid === null) throw new NotFoundError(`No Experiment with id=${input.experimentId} exists`);
  // The trace's row, when it belongs to the active experiment named in the request.
  const ours = `(SELECT t.id FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.project_id = ?1 AND t.trace_id = ?2 AND e.iid = ?3 AND e.lifecycle_stage = 'active')`;
  const results = await batch(db, [
    stmt(
      db,
      `INSERT INTO traces (trace_id, project_id, experiment_id, request_time, execution_time, state, request_preview, response_preview, client_request_id)
       SELECT ?2, ?1, e.id, ?4, ?5, ?6, ?7, ?8, ?9 FROM experiments e WHERE e.project_id = ?1 AND e.iid = ?3 AND e.lifecycle_stage = 'active'
       ON CONFLICT (project_id, trace_id) DO UPDATE SET request_time = excluded.request_time, execution_time = excluded.execution_time,
         state = excluded.state, request_preview = excluded.request_preview, response_preview = excluded.response_preview,
         client_request_id = excluded.client_request_id
       WHERE traces.experiment_id = excluded.experiment_id`,
      projectId,
      input.traceId,
      iid,
      input.requestTime,
      input.executionTime,
      input.state,
      input.requestPreview ?? null,
      input.responsePreview ?? null,
      input.clientRequestId ?? null,
    ),
    stmt(db, `INSERT OR REPLACE INTO trace_tags (trace_id, key, value) SELECT ${ours}, j.key, j.value FROM json_each(?4) j WHERE ${ours} IS NOT NULL`, projectId, input.traceId, iid, JSON.stringify(input.tags)),
    stmt(db, `INSERT OR REPLACE INTO trace_metadata (trace_id, key, value) SELECT ${ours}, j.key, j.value FROM json_each(?4) j WHERE ${ours} IS NOT NULL`, projectId, input.traceId, iid, JSON.stringify(input.metadata)),
    ...byTraceIdStatements(db, projectId, input.traceId),
  ]);
  const [info] = assemble(results.slice(3), null);
  if (info && info.experimentId === String(iid)) return info;
  const experiment = await getExperiment(db, projectId, input.experimentId);
  if (experiment.lifecycleStage !== 'active') throw new ConflictError(`The experiment ${input.experimentId} is deleted; restore it to log traces to it`);
  throw new ConflictError(`Trace '${input.traceId}' was logged to another experiment`);
}

type TraceRow = {
  id: number;
  trace_id: string;
  experiment_id: number;
  iid: number;
  request_time: number;
  execution_time: number | null;
  state: TraceState;
  request_preview: string | null;
  response_preview: string | null;
  client_request_id: string | null;
  spans_size: number | null;
};

const INFO_COLUMNS = `t.id, t.trace_id, t.experiment_id, e.iid, t.request_time, t.execution_time, t.state, t.request_preview, t.response_preview, t.client_request_id, t.spans_size`;

// The four reads of a trace's info (row, tags, metadata, assessments) of the visible trace `trace_id` (?2).
function byTraceIdStatements(db: Database, projectId: number, traceId: string): D1PreparedStatement[] {
  const id = `(SELECT t.id FROM traces t WHERE ${VISIBLE_TRACE} AND t.trace_id = ?2)`;
  return [
    stmt(db, `SELECT ${INFO_COLUMNS} FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE ${VISIBLE_TRACE} AND t.trace_id = ?2`, projectId, traceId),
    stmt(db, `SELECT trace_id, key, value FROM trace_tags WHERE trace_id = ${id} ORDER BY rowid`, projectId, traceId),
    stmt(db, `SELECT trace_id, key, value FROM trace_metadata WHERE trace_id = ${id} ORDER BY rowid`, projectId, traceId),
    stmt(db, `SELECT id, trace_id, assessment_id, name, valid, body FROM trace_assessments WHERE trace_id = ${id} ORDER BY id`, projectId, traceId),
  ];
}

// Trace infos from the four reads' results, in the order of `ids` (or as read).
function assemble([rows, tags, metadata, assessments]: D1Result[], ids: number[] | null): TraceInfo[] {
  const byId = new Map<number, TraceInfo>();
  for (const row of rows.results as TraceRow[]) {
    byId.set(row.id, {
      id: row.id,
      traceId: row.trace_id,
      experimentId: String(row.iid),
      experimentRowId: row.experiment_id,
      requestTime: row.request_time,
      executionTime: row.execution_time,
      state: row.state,
      requestPreview: row.request_preview,
      responsePreview: row.response_preview,
      clientRequestId: row.client_request_id,
      spansSize: row.spans_size,
      tags: {},
      metadata: {},
      assessments: [],
    });
  }
  for (const t of tags.results as { trace_id: number; key: string; value: string }[]) {
    const info = byId.get(t.trace_id);
    if (info) info.tags[t.key] = t.value;
  }
  for (const m of metadata.results as { trace_id: number; key: string; value: string }[]) {
    const info = byId.get(m.trace_id);
    if (info) info.metadata[m.key] = m.value;
  }
  for (const a of assessments.results as (AssessmentRow & { trace_id: number })[]) {
    const info = byId.get(a.trace_id);
    if (info) info.assessments.push(parseAssessmentRow(a, info.traceId));
  }
  if (ids === null) return [...byId.values()];
  return ids.map((id) => byId.get(id)).filter((info): info is TraceInfo => info !== undefined);
}

/** Visible traces by row id, in the order given, with tags, metadata and assessments (one round trip). */
export async function loadTraceInfos(db: Database, projectId: number, ids: number[]): Promise<TraceInfo[]> {
  if (ids.length === 0) return [];
  const json = JSON.stringify(ids);
  const results = await batch(db, [
    stmt(db, `SELECT ${INFO_COLUMNS} FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.id IN (SELECT value FROM json_each(?2)) AND ${VISIBLE_TRACE}`, projectId, json),
    stmt(db, `SELECT trace_id, key, value FROM trace_tags WHERE trace_id IN (SELECT value FROM json_each(?1)) ORDER BY rowid`, json),
    stmt(db, `SELECT trace_id, key, value FROM trace_metadata WHERE trace_id IN (SELECT value FROM json_each(?1)) ORDER BY rowid`, json),
    stmt(db, `SELECT id, trace_id, assessment_id, name, valid, body FROM trace_assessments WHERE trace_id IN (SELECT value FROM json_each(?1)) ORDER BY id`, json),
  ]);
  return assemble(results, ids);
}

/** A visible trace's info by its trace id (one round trip); NotFoundError otherwise. */
export async function getTraceInfo(db: Database, projectId: number, traceId: string): Promise<TraceInfo> {
  const [info] = assemble(await batch(db, byTraceIdStatements(db, projectId, traceId)), null);
  if (!info) throw traceNotFound(traceId);
  return info;
}

/** Visible traces by trace id (those not found are left out), in the order given. */
export async function getTraceInfos(db: Database, projectId: number, traceIds: string[]): Promise<TraceInfo[]> {
  if (traceIds.length === 0) return [];
  const rows = await all<{ id: number; trace_id: string }>(
    db,
    `SELECT t.id, t.trace_id FROM traces t WHERE ${VISIBLE_TRACE} AND t.trace_id IN (SELECT value FROM json_each(?2))`,
    projectId,
    JSON.stringify(traceIds),
  );
  const idOf = new Map(rows.map((r) => [r.trace_id, r.id]));
  return loadTraceInfos(db, projectId, traceIds.map((t) => idOf.get(t)).filter((id): id is number => id !== undefined));
}

/** A traces/search within the project: experiments by MLflow id (unknown ones match nothing). */
export type TraceQuery = { experimentIds: string[]; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string };

/** MLflow's default page of traces/search. */
export const TRACES_SEARCH_DEFAULT = 100;

/** One page of traces matching a search, and the next page's token. */
export async function searchTraces(db: Database, projectId: number, query: TraceQuery): Promise<{ traces: TraceInfo[]; nextPageToken?: string }> {
  const experimentIds = await projectExperimentIds(db, projectId, query.experimentIds);
  const page = await searchTraceRowIds(db, {
    experimentIds,
    filter: query.filter,
    orderBy: query.orderBy,
    maxResults: query.maxResults ?? TRACES_SEARCH_DEFAULT,
    pageToken: query.pageToken,
  });
  return { traces: await loadTraceInfos(db, projectId, page.ids), nextPageToken: page.nextPageToken };
}

/** Sets a tag on a trace. */
export async function setTraceTag(db: Database, projectId: number, traceId: string, key: string, value: string): Promise<void> {
  checkTag(key, value, 'key');
  const result = await stmt(
    db,
    `INSERT INTO trace_tags (trace_id, key, value) SELECT t.id, ?3, ?4 FROM traces t WHERE ${VISIBLE_TRACE} AND t.trace_id = ?2
     ON CONFLICT (trace_id, key) DO UPDATE SET value = excluded.value`,
    projectId,
    traceId,
    key,
    value,
  ).run();
  if (result.meta.changes === 0) throw traceNotFound(traceId);
}

/** Deletes a tag of a trace; NotFoundError when the trace or the tag is missing. */
export async function deleteTraceTag(db: Database, projectId: number, traceId: string, key: string): Promise<void> {
  const id = await traceRowId(db, projectId, traceId);
  const result = await stmt(db, `DELETE FROM trace_tags WHERE trace_id = ? AND key = ?`, id, key).run();
  if (result.meta.changes === 0) throw new NotFoundError(`No trace tag with key '${key}' on trace '${traceId}'`);
}

/** Which traces of an experiment to delete: by id, or the oldest up to a time (at most `maxTraces`). */
export type TraceDeletion = { experimentId: string; traceIds?: string[]; maxTimestampMillis?: number; maxTraces?: number };

/** Deletes traces with their spans; returns how many. */
export async function deleteTraces(db: Database, bucket: R2Bucket, projectId: number, input: TraceDeletion): Promise<number> {
  const byIds = input.traceIds !== undefined && input.traceIds.length > 0;
  if (byIds === (input.maxTimestampMillis !== undefined)) {
    throw new InvalidInputError('Give either request_ids or max_timestamp_millis, not both and not neither', byIds ? 'max_timestamp_millis' : 'request_ids');
  }
  if (input.maxTraces !== undefined && (!Number.isSafeInteger(input.maxTraces) || input.maxTraces < 1)) throw new InvalidInputError('max_traces must be a positive integer', 'max_traces');
  const experiment = await getExperiment(db, projectId, input.experimentId);
  const rows = byIds
    ? await all<{ id: number }>(db, `SELECT id FROM traces WHERE experiment_id = ?1 AND project_id = ?2 AND trace_id IN (SELECT value FROM json_each(?3))`, experiment.id, projectId, JSON.stringify(input.traceIds))
    : await all<{ id: number }>(
        db,
        `SELECT id FROM traces WHERE experiment_id = ?1 AND project_id = ?2 AND request_time <= ?3 ORDER BY request_time, id LIMIT ?4`,
        experiment.id,
        projectId,
        input.maxTimestampMillis,
        input.maxTraces ?? -1,
      );
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  await stmt(db, `DELETE FROM traces WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids)).run();
  await deleteTraceObjects(bucket, projectId, ids);
  return ids.length;
}

/** Links traces to a run of the same project (`link-to-run`). */
export async function linkTracesToRun(db: Database, projectId: number, traceIds: string[], runId: string): Promise<void> {
  if (traceIds.length === 0) return;
  if (traceIds.length > MAX_LINKED_TRACES) throw new InvalidInputError(`At most ${MAX_LINKED_TRACES} traces can be linked at once, got ${traceIds.length}`, 'trace_ids');
  const run = await first<{ id: number }>(db, `SELECT id FROM candidates WHERE run_id = ? AND project_id = ?`, runId, projectId);
  if (!run) throw new NotFoundError(`Run with id=${runId} not found`);
  const found = await all<{ id: number; trace_id: string }>(
    db,
    `SELECT t.id, t.trace_id FROM traces t WHERE ${VISIBLE_TRACE} AND t.trace_id IN (SELECT value FROM json_each(?2))`,
    projectId,
    JSON.stringify(traceIds),
  );
  const missing = traceIds.filter((t) => !found.some((f) => f.trace_id === t));
  if (missing.length > 0) throw traceNotFound(missing[0]);
  await stmt(db, `INSERT OR IGNORE INTO trace_run_links (trace_id, run_id) SELECT value, ?2 FROM json_each(?1)`, JSON.stringify(found.map((f) => f.id)), runId).run();
}

/** A prompt version linked to a trace. */
export type PromptRef = { name: string; version: string };

/** Links prompt versions to a trace: they are listed in its `mlflow.linkedPrompts` tag, each once. */
export async function linkPromptsToTrace(db: Database, projectId: number, traceId: string, prompts: PromptRef[]): Promise<void> {
  const info = await getTraceInfo(db, projectId, traceId);
  let linked: PromptRef[] = [];
  try {
    const parsed: unknown = JSON.parse(info.tags[LINKED_PROMPTS_TAG] ?? '[]');
    if (Array.isArray(parsed)) linked = parsed.filter((p): p is PromptRef => typeof p?.name === 'string' && typeof p?.version === 'string');
  } catch {
    // A hand-set tag that is not a list is replaced.
  }
  for (const p of prompts) if (!linked.some((l) => l.name === p.name && l.version === p.version)) linked.push({ name: p.name, version: p.version });
  await setTraceTag(db, projectId, traceId, LINKED_PROMPTS_TAG, JSON.stringify(linked));
}
