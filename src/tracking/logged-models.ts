/**
 * MLflow 3 logged models: a model logged within an experiment, optionally from a source run,
 * with params, tags and metrics. Its id is `m-<32 hex>`; its `seq` names its artifact package
 * `ml_model_<seq>`. It starts PENDING and is finalized READY (or FAILED) once its artifacts
 * are uploaded. Deleting is soft; a deleted model is no longer found.
 */
import type { Database } from '../db/client';
import { InvalidInputError, NotFoundError } from '../errors';
import { all, batch, isUniqueViolation, nowMs, stmt } from './d1';
import { parseExperimentIid, projectExperimentIds, type KeyValue } from './experiments';
import { checkParam, checkTag, LOGGED_MODELS_SEARCH_DEFAULT } from './limits';
import { decodeMetricValue } from './metric-values';
import { randomRunName } from './run-names';
import { searchLoggedModelSeqs, type LoggedModelSearch } from './search';

/** A logged model's statuses. */
export const LOGGED_MODEL_STATUSES = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const;
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** A metric logged to a model (from a run's log-metric with `model_id`). */
export type LoggedModelMetric = {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string | null;
  datasetName: string | null;
  datasetDigest: string | null;
};

/** A logged model with its tags (by key), params (by key) and metrics. */
export type LoggedModel = {
  seq: number;
  id: string;
  projectId: number;
  experimentId: number;
  experimentIid: number;
  name: string;
  sourceRunId: string | null;
  modelType: string | null;
  status: LoggedModelStatus;
  statusMessage: string | null;
  lifecycleStage: 'active' | 'deleted';
  userId: number | null;
  createdAt: number;
  updatedAt: number;
  tags: KeyValue[];
  params: KeyValue[];
  metrics: LoggedModelMetric[];
};

type ModelRow = {
  seq: number;
  id: string;
  project_id: number;
  experiment_id: number;
  iid: number;
  name: string;
  source_run_id: string | null;
  model_type: string | null;
  status: LoggedModelStatus;
  status_message: string | null;
  lifecycle_stage: 'active' | 'deleted';
  user_id: number | null;
  created_at: number;
  updated_at: number;
};

const MODEL_SELECT = `SELECT m.seq, m.id, m.project_id, m.experiment_id, e.iid, m.name, m.source_run_id, m.model_type, m.status,
  m.status_message, m.lifecycle_stage, m.user_id, m.created_at, m.updated_at FROM logged_models m JOIN experiments e ON e.id = m.experiment_id`;

/** A fresh logged model id: `m-` and 32 lowercase hex characters. */
export function newLoggedModelId(): string {
  return `m-${crypto.randomUUID().replaceAll('-', '')}`;
}

function notFound(modelId: string) {
  return new NotFoundError(`Logged model with ID '${modelId}' not found.`);
}

async function loadWhere(db: Database, selector: string, values: unknown[]): Promise<LoggedModel[]> {
  const q = (sql: string) => stmt(db, sql, ...values);
  const [models, tags, params, metrics] = await batch(db, [
    q(`${MODEL_SELECT} WHERE m.seq IN (${selector})`),
    q(`SELECT model_seq, key, value FROM logged_model_tags WHERE model_seq IN (${selector}) ORDER BY key`),
    q(`SELECT model_seq, key, value FROM logged_model_params WHERE model_seq IN (${selector}) ORDER BY key`),
    q(`SELECT model_seq, key, value, is_nan, timestamp, step, run_id, dataset_name, dataset_digest FROM logged_model_metrics
       WHERE model_seq IN (${selector}) ORDER BY key, step, timestamp`),
  ]);
  const bySeq = new Map<number, LoggedModel>();
  for (const r of models.results as ModelRow[]) {
    bySeq.set(r.seq, {
      seq: r.seq,
      id: r.id,
      projectId: r.project_id,
      experimentId: r.experiment_id,
      experimentIid: r.iid,
      name: r.name,
      sourceRunId: r.source_run_id,
      modelType: r.model_type,
      status: r.status,
      statusMessage: r.status_message,
      lifecycleStage: r.lifecycle_stage,
      userId: r.user_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      tags: [],
      params: [],
      metrics: [],
    });
  }
  for (const t of tags.results as (KeyValue & { model_seq: number })[]) bySeq.get(t.model_seq)?.tags.push({ key: t.key, value: t.value });
  for (const p of params.results as (KeyValue & { model_seq: number })[]) bySeq.get(p.model_seq)?.params.push({ key: p.key, value: p.value });
  type MetricRow = { model_seq: number; key: string; value: number; is_nan: number; timestamp: number; step: number; run_id: string | null; dataset_name: string | null; dataset_digest: string | null };
  for (const m of metrics.results as MetricRow[]) {
    bySeq.get(m.model_seq)?.metrics.push({
      key: m.key,
      value: decodeMetricValue(m.value, m.is_nan),
      timestamp: m.timestamp,
      step: m.step,
      runId: m.run_id,
      datasetName: m.dataset_name,
      datasetDigest: m.dataset_digest,
    });
  }
  return [...bySeq.values()];
}

/** Logged models by seq, in the order given. */
export async function loadLoggedModels(db: Database, seqs: number[]): Promise<LoggedModel[]> {
  if (seqs.length === 0) return [];
  const models = await loadWhere(db, 'SELECT value FROM json_each(?1)', [JSON.stringify(seqs)]);
  const bySeq = new Map(models.map((m) => [m.seq, m]));
  return seqs.flatMap((s) => bySeq.get(s) ?? []);
}

/** The active logged model `modelId` of the project; RESOURCE_DOES_NOT_EXIST otherwise. */
export async function getLoggedModel(db: Database, projectId: number, modelId: string): Promise<LoggedModel> {
  const [model] = await loadWhere(db, `SELECT seq FROM logged_models WHERE id = ?1 AND project_id = ?2 AND lifecycle_stage = 'active'`, [modelId, projectId]);
  if (!model) throw notFound(modelId);
  return model;
}

/** What creating a logged model takes. */
export type NewLoggedModel = {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params?: KeyValue[];
  tags?: KeyValue[];
};

/** Creates a PENDING logged model with its params and tags, in one transaction. */
export async function createLoggedModel(db: Database, projectId: number, userId: number | null, input: NewLoggedModel): Promise<LoggedModel> {
  const iid = parseExperimentIid(input.experimentId);
  if (iid === null) throw new NotFoundError(`No Experiment with id=${input.experimentId} exists`);
  const params = input.params ?? [];
  const tags = input.tags ?? [];
  params.forEach((p, i) => checkParam(p.key, p.value, `params[${i}]`));
  tags.forEach((t, i) => checkTag(t.key, t.value, `tags[${i}]`));
  if (input.sourceRunId) {
    const run = await all(db, 'SELECT 1 FROM candidates WHERE run_id = ? AND project_id = ?', input.sourceRunId, projectId);
    if (run.length === 0) throw new NotFoundError(`Run with id=${input.sourceRunId} not found`);
  }
  const id = newLoggedModelId();
  const now = nowMs();
  const [inserted, , , experiment] = await batch(db, [
    stmt(
      db,
      `INSERT INTO logged_models (id, project_id, experiment_id, name, source_run_id, model_type, user_id, created_at, updated_at)
       SELECT ?1, e.project_id, e.id, ?2, ?3, ?4, ?5, ?6, ?6 FROM experiments e WHERE e.project_id = ?7 AND e.iid = ?8 AND e.lifecycle_stage = 'active'
       RETURNING seq`,
      id,
      input.name || randomRunName(),
      input.sourceRunId || null,
      input.modelType || null,
      userId,
      now,
      projectId,
      iid,
    ),
    kvInsert(db, 'logged_model_tags', id, tags, 'ON CONFLICT (model_seq, key) DO UPDATE SET value = excluded.value'),
    kvInsert(db, 'logged_model_params', id, params, 'ON CONFLICT (model_seq, key) DO UPDATE SET value = excluded.value'),
    stmt(db, 'SELECT lifecycle_stage FROM experiments WHERE project_id = ? AND iid = ?', projectId, iid),
  ]);
  const state = experiment.results[0] as { lifecycle_stage: string } | undefined;
  if (!state) throw new NotFoundError(`No Experiment with id=${input.experimentId} exists`);
  if (inserted.results.length === 0) {
    throw new InvalidInputError(`The experiment ${input.experimentId} must be in the 'active' state. Current state is ${state.lifecycle_stage}.`, 'experiment_id');
  }
  return getLoggedModel(db, projectId, id);
}

function kvInsert(db: Database, table: 'logged_model_tags' | 'logged_model_params', modelId: string, rows: KeyValue[], onConflict: string, extra = '') {
  return stmt(
    db,
    `INSERT INTO ${table} (model_seq, key, value) SELECT m.seq, j.value ->> 0, j.value ->> 1 FROM logged_models m, json_each(?2) j
     WHERE m.id = ?1 AND m.lifecycle_stage = 'active' ${extra} ${onConflict}`,
    modelId,
    JSON.stringify(rows.map((r) => [r.key, r.value])),
  );
}

async function requireModel(db: Database, projectId: number, modelId: string): Promise<void> {
  const rows = await all(db, `SELECT 1 FROM logged_models WHERE id = ? AND project_id = ? AND lifecycle_stage = 'active'`, modelId, projectId);
  if (rows.length === 0) throw notFound(modelId);
}

/** Sets (or overwrites) tags of a logged model. */
export async function setLoggedModelTags(db: Database, projectId: number, modelId: string, tags: KeyValue[]): Promise<void> {
  tags.forEach((t, i) => checkTag(t.key, t.value, `tags[${i}]`));
  await requireModel(db, projectId, modelId);
  if (tags.length) await kvInsert(db, 'logged_model_tags', modelId, tags, 'ON CONFLICT (model_seq, key) DO UPDATE SET value = excluded.value').run();
}

/** Deletes a tag of a logged model; a missing tag is RESOURCE_DOES_NOT_EXIST. */
export async function deleteLoggedModelTag(db: Database, projectId: number, modelId: string, key: string): Promise<void> {
  await requireModel(db, projectId, modelId);
  const deleted = await all(
    db,
    'DELETE FROM logged_model_tags WHERE key = ?2 AND model_seq = (SELECT seq FROM logged_models WHERE id = ?1) RETURNING key',
    modelId,
    key,
  );
  if (deleted.length === 0) throw new NotFoundError(`No tag with key '${key}' on logged model '${modelId}'.`);
}

/** Logs params of a logged model; like a run's, a param cannot change its value. */
export async function logLoggedModelParams(db: Database, projectId: number, modelId: string, params: KeyValue[]): Promise<void> {
  params.forEach((p, i) => checkParam(p.key, p.value, `params[${i}]`));
  await requireModel(db, projectId, modelId);
  if (params.length === 0) return;
  try {
    await kvInsert(
      db,
      'logged_model_params',
      modelId,
      params,
      '',
      'AND NOT EXISTS (SELECT 1 FROM logged_model_params p WHERE p.model_seq = m.seq AND p.key = j.value ->> 0 AND p.value = j.value ->> 1)',
    ).run();
  } catch (error) {
    if (isUniqueViolation(error, 'logged_model_params.model_seq, logged_model_params.key')) {
      throw new InvalidInputError(`Changing param values is not allowed: a param of logged model '${modelId}' was already logged with another value.`, 'params');
    }
    throw error;
  }
}

/** Finalizes a logged model: READY once its artifacts are uploaded, or UPLOAD_FAILED. */
export async function finalizeLoggedModel(db: Database, projectId: number, modelId: string, status: string): Promise<LoggedModel> {
  if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
    throw new InvalidInputError(`Invalid status '${status}': a logged model is finalized LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED`, 'status');
  }
  const updated = await all(
    db,
    `UPDATE logged_models SET status = ?3, updated_at = ?4 WHERE id = ?1 AND project_id = ?2 AND lifecycle_stage = 'active' RETURNING seq`,
    modelId,
    projectId,
    status,
    nowMs(),
  );
  if (updated.length === 0) throw notFound(modelId);
  return getLoggedModel(db, projectId, modelId);
}

/** Soft-deletes a logged model. */
export async function deleteLoggedModel(db: Database, projectId: number, modelId: string): Promise<void> {
  const updated = await all(
    db,
    `UPDATE logged_models SET lifecycle_stage = 'deleted', updated_at = ?3 WHERE id = ?1 AND project_id = ?2 AND lifecycle_stage = 'active' RETURNING seq`,
    modelId,
    projectId,
    nowMs(),
  );
  if (updated.length === 0) throw notFound(modelId);
}

/** One page of logged-models/search over the project's experiments (unknown ids match nothing). */
export async function searchLoggedModels(
  db: Database,
  projectId: number,
  input: Omit<LoggedModelSearch, 'experimentIds' | 'maxResults'> & { experimentIds: string[]; maxResults?: number },
): Promise<{ models: LoggedModel[]; nextPageToken?: string }> {
  const experimentIds = await projectExperimentIds(db, projectId, input.experimentIds);
  const page = await searchLoggedModelSeqs(db, { ...input, experimentIds, maxResults: input.maxResults ?? LOGGED_MODELS_SEARCH_DEFAULT });
  return { models: await loadLoggedModels(db, page.ids), nextPageToken: page.nextPageToken };
}

/** At most this many logged models are listed on a run's or an experiment's page. */
export const MAX_LISTED_MODELS = 100;

/**
 * The active logged models a run made: those logged from it (`source_run_id`) and those it
 * recorded as outputs (`model_ids`), newest first.
 */
export async function loggedModelsOfRun(db: Database, experimentId: number, runId: string, outputIds: string[] = []): Promise<LoggedModel[]> {
  const models = await loadWhere(
    db,
    `SELECT seq FROM logged_models WHERE experiment_id = ?1 AND lifecycle_stage = 'active'
       AND (source_run_id = ?2 OR id IN (SELECT value FROM json_each(?3))) ORDER BY created_at DESC LIMIT ${MAX_LISTED_MODELS}`,
    [experimentId, runId, JSON.stringify(outputIds.slice(0, MAX_LISTED_MODELS))],
  );
  return models.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
}

/** The newest active logged models of an experiment (by its internal id). */
export async function loggedModelsOfExperiment(db: Database, experimentId: number, limit = MAX_LISTED_MODELS): Promise<LoggedModel[]> {
  const models = await loadWhere(
    db,
    `SELECT seq FROM logged_models WHERE experiment_id = ?1 AND lifecycle_stage = 'active' ORDER BY created_at DESC LIMIT ?2`,
    [experimentId, Math.min(limit, MAX_LISTED_MODELS)],
  );
  return models.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
}
