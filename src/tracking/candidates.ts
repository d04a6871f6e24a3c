/**
 * Candidates: MLflow runs. A run id is 32 lowercase hex characters; a candidate's integer id
 * names its artifact package `ml_candidate_<id>`. Runs are found by run id within a project
 * only: a run of another project does not exist for the caller. Deleting is soft.
 *
 * Loading runs is set-based: one batch of six queries loads any number of runs with their
 * params, tags, latest metrics, dataset inputs and model inputs/outputs.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { InvalidInputError, NotFoundError } from '../errors';
import { batch, nowMs, stmt } from './d1';
import { ensureDefaultExperiment, parseExperimentIid, type KeyValue } from './experiments';
import { checkTag, RUNS_SEARCH_DEFAULT } from './limits';
import { decodeMetricValue } from './metric-values';
import { randomRunName } from './run-names';
import { searchRunIds, type RunSearch } from './search';

/** MLflow's run statuses. */
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Tags MLflow gives meaning to. */
export const RUN_NAME_TAG = 'mlflow.runName';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

/**
 * `FROM … WHERE` of the active children, in an experiment, of the runs `parents` (run ids: a
 * value or a subquery), aliased `c`. Read outward from the parents through the partial index of
 * parent tags (`tags_parent_run_idx`: its key is written as a literal so SQLite may use it, and
 * CROSS JOIN keeps SQLite from walking every candidate of the experiment first, as it would choose).
 */
export function childrenOf(experimentId: number, parents: SQL): SQL {
  return sql`candidate_tags t CROSS JOIN candidates c ON c.id = t.candidate_id
    WHERE t.key = 'mlflow.parentRunId' AND t.value IN (${parents}) AND c.experiment_id = ${experimentId} AND c.lifecycle_stage = 'active'`;
}
export const USER_TAG = 'mlflow.user';
/** MLflow's tag for a run's (and an experiment's) description. */
export const NOTE_TAG = 'mlflow.note.content';

/** A run's attributes. */
export type RunInfo = {
  candidateId: number;
  runId: string;
  projectId: number;
  /** Internal experiment id (`experiments.id`). */
  experimentId: number;
  /** The experiment's MLflow id within the project. */
  experimentIid: number;
  name: string;
  /** MLflow's `user_id`: the name the client reported. */
  mlflowUser: string;
  /** The flaretrack user whose token created the run. */
  userId: number | null;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: 'active' | 'deleted';
  deletedAt: number | null;
  createdAt: number;
  updatedAt: number;
};

/** One metric point as logged (NaN and ±Infinity restored). */
export type MetricPoint = { key: string; value: number; timestamp: number; step: number };

/** A dataset a run used, with the input's tags (e.g. `mlflow.data.context`). */
export type DatasetInput = {
  tags: KeyValue[];
  dataset: { name: string; digest: string; sourceType: string; source: string; schema: string | null; profile: string | null };
};

/** A run with everything MLflow's `Run` carries. */
export type Run = {
  info: RunInfo;
  params: KeyValue[];
  tags: KeyValue[];
  /** The latest point of each metric. */
  metrics: MetricPoint[];
  datasetInputs: DatasetInput[];
  modelInputs: { modelId: string }[];
  modelOutputs: { modelId: string; step: number }[];
};

type InfoRow = {
  id: number;
  run_id: string;
  project_id: number;
  experiment_id: number;
  iid: number;
  name: string;
  mlflow_user: string;
  user_id: number | null;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: 'active' | 'deleted';
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
};

const INFO_SELECT = `SELECT c.id, c.run_id, c.project_id, c.experiment_id, e.iid, c.name, c.mlflow_user, c.user_id, c.status,
  c.start_time, c.end_time, c.lifecycle_stage, c.deleted_at, c.created_at, c.updated_at
  FROM candidates c JOIN experiments e ON e.id = c.experiment_id`;

function toInfo(r: InfoRow): RunInfo {
  return {
    candidateId: r.id,
    runId: r.run_id,
    projectId: r.project_id,
    experimentId: r.experiment_id,
    experimentIid: r.iid,
    name: r.name,
    mlflowUser: r.mlflow_user,
    userId: r.user_id,
    status: r.status,
    startTime: r.start_time,
    endTime: r.end_time,
    lifecycleStage: r.lifecycle_stage,
    deletedAt: r.deleted_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A fresh run id: 32 lowercase hex characters. */
export function newRunId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** MLflow's "not found" for a run id. */
export function runNotFound(runId: string): NotFoundError {
  return new NotFoundError(`Run with id=${runId} not found`);
}

/** MLflow's refusal to write to a deleted run. */
export function runNotActive(runId: string, stage: string): InvalidInputError {
  return new InvalidInputError(`The run ${runId} must be in the 'active' state. Current state is ${stage}.`, 'run_id');
}

/** Throws unless a run-state row (from a write batch) shows an active run. */
export function requireActiveRun(row: { lifecycle_stage: string } | undefined, runId: string): void {
  if (!row) throw runNotFound(runId);
  if (row.lifecycle_stage !== 'active') throw runNotActive(runId, row.lifecycle_stage);
}

/** The statement that reads a run's state inside a write batch (`?1` run id, `?2` project id). */
export function runStateStatement(db: Database, runId: string, projectId: number): D1PreparedStatement {
  return stmt(db, 'SELECT id, lifecycle_stage FROM candidates WHERE run_id = ?1 AND project_id = ?2', runId, projectId);
}

/** What runs/create takes. */
export type NewRun = {
  projectId: number;
  /** The flaretrack user creating it, and their username (the default `user_id`). */
  userId: number | null;
  username: string;
  /** MLflow experiment id; "0" (or none) is the project's Default experiment. */
  experimentId?: string;
  /** MLflow's `user_id` field. */
  mlflowUser?: string;
  runName?: string;
  startTime?: number;
  tags?: KeyValue[];
};

/**
 * Creates a run and its tags in one round trip. The name comes from `runName`, else the
 * `mlflow.runName` tag, else a random readable one; the tag is set to match.
 */
export async function createRun(db: Database, input: NewRun): Promise<Run> {
  const experimentId = input.experimentId === undefined || input.experimentId === '' ? '0' : input.experimentId;
  const iid = parseExperimentIid(experimentId);
  if (iid === null) throw new NotFoundError(`No Experiment with id=${experimentId} exists`);
  const given = input.tags ?? [];
  given.forEach((t, i) => checkTag(t.key, t.value, `tags[${i}]`));
  const nameTag = given.findLast((t) => t.key === RUN_NAME_TAG)?.value;
  if (input.runName && nameTag !== undefined && input.runName !== nameTag) {
    throw new InvalidInputError(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${nameTag}').`,
      'run_name',
    );
  }
  const name = input.runName || nameTag || randomRunName();
  const tags = dedupeTags(nameTag ? given : [...given, { key: RUN_NAME_TAG, value: name }]);
  const mlflowUser = input.mlflowUser || given.findLast((t) => t.key === USER_TAG)?.value || input.username;
  const runId = newRunId();
  const now = nowMs();
  const startTime = input.startTime ?? now;
  if (iid === 0) await ensureDefaultExperiment(db, input.projectId, input.userId);
  const [inserted, , , experiment] = await batch(db, [
    stmt(
      db,
      `INSERT INTO candidates (run_id, project_id, experiment_id, name, status, mlflow_user, user_id, start_time, created_at, updated_at)
       SELECT ?1, e.project_id, e.id, ?2, 'RUNNING', ?3, ?4, ?5, ?6, ?6 FROM experiments e
       WHERE e.project_id = ?7 AND e.iid = ?8 AND e.lifecycle_stage = 'active' RETURNING id, experiment_id`,
      runId,
      name,
      mlflowUser,
      input.userId,
      startTime,
      now,
      input.projectId,
      iid,
    ),
    stmt(
      db,
      `INSERT INTO candidate_tags (candidate_id, key, value) SELECT c.id, j.value ->> 0, j.value ->> 1 FROM candidates c, json_each(?2) j
       WHERE c.run_id = ?1 ON CONFLICT (candidate_id, key) DO UPDATE SET value = excluded.value`,
      runId,
      JSON.stringify(tags.map((t) => [t.key, t.value])),
    ),
    stmt(db, `UPDATE experiments SET updated_at = ?1 WHERE project_id = ?2 AND iid = ?3 AND lifecycle_stage = 'active'`, now, input.projectId, iid),
    stmt(db, 'SELECT lifecycle_stage FROM experiments WHERE project_id = ? AND iid = ?', input.projectId, iid),
  ]);
  const state = experiment.results[0] as { lifecycle_stage: string } | undefined;
  if (!state) throw new NotFoundError(`No Experiment with id=${experimentId} exists`);
  const row = inserted.results[0] as { id: number; experiment_id: number } | undefined;
  if (!row) {
    throw new InvalidInputError(`The experiment ${experimentId} must be in the 'active' state. Current state is ${state.lifecycle_stage}.`, 'experiment_id');
  }
  return {
    info: {
      candidateId: row.id,
      runId,
      projectId: input.projectId,
      experimentId: row.experiment_id,
      experimentIid: iid,
      name,
      mlflowUser,
      userId: input.userId,
      status: 'RUNNING',
      startTime,
      endTime: null,
      lifecycleStage: 'active',
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    },
    params: [],
    tags,
    metrics: [],
    datasetInputs: [],
    modelInputs: [],
    modelOutputs: [],
  };
}

/** Later values of a key win; the key keeps its first position. */
function dedupeTags(tags: KeyValue[]): KeyValue[] {
  const byKey = new Map<string, string>();
  for (const t of tags) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** Loads runs chosen by `selector` (an SQL subquery yielding candidate ids) in one round trip. */
async function loadRunsWhere(db: Database, selector: string, values: unknown[]): Promise<Run[]> {
  const q = (sql: string) => stmt(db, sql, ...values);
  const [infos, params, tags, metrics, inputs, io] = await batch(db, [
    q(`${INFO_SELECT} WHERE c.id IN (${selector})`),
    // one row per run, its rows as a JSON array in logging order: a page of 1000 runs then moves
    // 1000 rows out of D1, not 20,000 (D1's cost grows with the number of rows and values)
    q(`SELECT candidate_id, json_group_array(json_array(key, value) ORDER BY rowid) AS rows FROM candidate_params WHERE candidate_id IN (${selector}) GROUP BY candidate_id`),
    q(`SELECT candidate_id, json_group_array(json_array(key, value) ORDER BY rowid) AS rows FROM candidate_tags WHERE candidate_id IN (${selector}) GROUP BY candidate_id`),
    q(
      `SELECT candidate_id, json_group_array(json_array(key, value, is_nan, timestamp, step) ORDER BY rowid) AS rows FROM latest_metrics WHERE candidate_id IN (${selector}) GROUP BY candidate_id`,
    ),
    q(`SELECT i.candidate_id, i.tags, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
       FROM candidate_inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.candidate_id IN (${selector}) ORDER BY i.rowid`),
    q(`SELECT candidate_id, model_id, direction, step FROM candidate_model_io WHERE candidate_id IN (${selector}) ORDER BY rowid`),
  ]);
  const runs = new Map<number, Run>();
  for (const r of infos.results as InfoRow[]) {
    runs.set(r.id, { info: toInfo(r), params: [], tags: [], metrics: [], datasetInputs: [], modelInputs: [], modelOutputs: [] });
  }
  type Grouped = { candidate_id: number; rows: string };
  for (const p of params.results as Grouped[]) {
    const run = runs.get(p.candidate_id);
    if (run) run.params = (JSON.parse(p.rows) as [string, string][]).map(([key, value]) => ({ key, value }));
  }
  for (const t of tags.results as Grouped[]) {
    const run = runs.get(t.candidate_id);
    if (run) run.tags = (JSON.parse(t.rows) as [string, string][]).map(([key, value]) => ({ key, value }));
  }
  for (const m of metrics.results as Grouped[]) {
    const run = runs.get(m.candidate_id);
    if (run) {
      run.metrics = (JSON.parse(m.rows) as [string, number, number, number, number][]).map(([key, value, isNan, timestamp, step]) => ({
        key,
        value: decodeMetricValue(value, isNan),
        timestamp,
        step,
      }));
    }
  }
  type InputRow = { candidate_id: number; tags: string; name: string; digest: string; source_type: string; source: string; schema: string | null; profile: string | null };
  for (const i of inputs.results as InputRow[]) {
    runs.get(i.candidate_id)?.datasetInputs.push({
      tags: JSON.parse(i.tags) as KeyValue[],
      dataset: { name: i.name, digest: i.digest, sourceType: i.source_type, source: i.source, schema: i.schema, profile: i.profile },
    });
  }
  for (const m of io.results as { candidate_id: number; model_id: string; direction: string; step: number }[]) {
    const run = runs.get(m.candidate_id);
    if (m.direction === 'input') run?.modelInputs.push({ modelId: m.model_id });
    else run?.modelOutputs.push({ modelId: m.model_id, step: m.step });
  }
  return [...runs.values()];
}

/** Runs by candidate id, in the order given (missing ids are skipped). */
export async function loadRuns(db: Database, candidateIds: number[]): Promise<Run[]> {
  if (candidateIds.length === 0) return [];
  const runs = await loadRunsWhere(db, 'SELECT value FROM json_each(?1)', [JSON.stringify(candidateIds)]);
  const byId = new Map(runs.map((r) => [r.info.candidateId, r]));
  return candidateIds.flatMap((id) => byId.get(id) ?? []);
}

/** The run `runId` of the project with all its data; RESOURCE_DOES_NOT_EXIST elsewhere. */
export async function getRun(db: Database, projectId: number, runId: string): Promise<Run> {
  const [run] = await loadRunsWhere(db, 'SELECT id FROM candidates WHERE run_id = ?1 AND project_id = ?2', [runId, projectId]);
  if (!run) throw runNotFound(runId);
  return run;
}

/** A candidate's attributes by run id within the project; RESOURCE_DOES_NOT_EXIST if in another. */
export async function getCandidateByRunId(db: Database, projectId: number, runId: string): Promise<RunInfo> {
  const row = await stmt(db, `${INFO_SELECT} WHERE c.run_id = ? AND c.project_id = ?`, runId, projectId).first<InfoRow>();
  if (!row) throw runNotFound(runId);
  return toInfo(row);
}

/** A candidate's attributes by candidate id within the project. */
export async function getCandidate(db: Database, projectId: number, candidateId: number): Promise<RunInfo> {
  const row = await stmt(db, `${INFO_SELECT} WHERE c.id = ? AND c.project_id = ?`, candidateId, projectId).first<InfoRow>();
  if (!row) throw new NotFoundError(`Candidate ${candidateId} not found`);
  return toInfo(row);
}

/** The run ids of every candidate of a project, deleted ones included. */
export async function projectRunIds(db: Database, projectId: number): Promise<string[]> {
  const rows = await stmt(db, 'SELECT run_id FROM candidates WHERE project_id = ?', projectId).all<{ run_id: string }>();
  return rows.results.map((r) => r.run_id);
}

/** A candidate with all its data by candidate id within the project. */
export async function getCandidateRun(db: Database, projectId: number, candidateId: number): Promise<Run> {
  const [run] = await loadRunsWhere(db, 'SELECT id FROM candidates WHERE id = ?1 AND project_id = ?2', [candidateId, projectId]);
  if (!run) throw new NotFoundError(`Candidate ${candidateId} not found`);
  return run;
}

/** A candidate's params, in logging order. */
export async function listParams(db: Database, candidateId: number): Promise<KeyValue[]> {
  return (await stmt(db, 'SELECT key, value FROM candidate_params WHERE candidate_id = ? ORDER BY rowid', candidateId).all<KeyValue>()).results;
}

/** A candidate's tags, in first-set order. */
export async function listTags(db: Database, candidateId: number): Promise<KeyValue[]> {
  return (await stmt(db, 'SELECT key, value FROM candidate_tags WHERE candidate_id = ? ORDER BY rowid', candidateId).all<KeyValue>()).results;
}

/** The latest point of each of a candidate's metrics. */
export async function listLatestMetrics(db: Database, candidateId: number): Promise<MetricPoint[]> {
  const rows = await stmt(db, 'SELECT key, value, is_nan, timestamp, step FROM latest_metrics WHERE candidate_id = ? ORDER BY rowid', candidateId).all<{
    key: string;
    value: number;
    is_nan: number;
    timestamp: number;
    step: number;
  }>();
  return rows.results.map((m) => ({ key: m.key, value: decodeMetricValue(m.value, m.is_nan), timestamp: m.timestamp, step: m.step }));
}

/** One page of runs/search: ids from the search module, rows loaded here. */
export async function searchRuns(
  db: Database,
  input: Omit<RunSearch, 'maxResults'> & { maxResults?: number },
): Promise<{ runs: Run[]; nextPageToken?: string }> {
  const page = await searchRunIds(db, { ...input, maxResults: input.maxResults ?? RUNS_SEARCH_DEFAULT });
  return { runs: await loadRuns(db, page.ids), nextPageToken: page.nextPageToken };
}

/** What runs/update may change. */
export type RunUpdate = { status?: RunStatus; endTime?: number; runName?: string };

/**
 * Updates an active run's status, end time and name (keeping `mlflow.runName` in step) in one
 * round trip; returns the run's attributes afterwards.
 */
export async function updateRun(db: Database, projectId: number, runId: string, update: RunUpdate): Promise<RunInfo> {
  if (update.status !== undefined && !RUN_STATUSES.includes(update.status)) {
    throw new InvalidInputError(`Invalid run status '${update.status}'; expected one of ${RUN_STATUSES.join(', ')}`, 'status');
  }
  if (update.runName !== undefined) checkTag(RUN_NAME_TAG, update.runName, 'run_name');
  const name = update.runName || null;
  const now = nowMs();
  const guard = `run_id = ?1 AND project_id = ?2 AND lifecycle_stage = 'active'`;
  const results = await batch(db, [
    stmt(
      db,
      `UPDATE candidates SET status = coalesce(?3, status), end_time = coalesce(?4, end_time), name = coalesce(?5, name), updated_at = ?6 WHERE ${guard}`,
      runId,
      projectId,
      update.status ?? null,
      update.endTime ?? null,
      name,
      now,
    ),
    ...(name
      ? [
          stmt(
            db,
            `INSERT INTO candidate_tags (candidate_id, key, value) SELECT id, ?3, ?4 FROM candidates WHERE ${guard}
             ON CONFLICT (candidate_id, key) DO UPDATE SET value = excluded.value`,
            runId,
            projectId,
            RUN_NAME_TAG,
            name,
          ),
        ]
      : []),
    stmt(db, `UPDATE experiments SET updated_at = ?3 WHERE id = (SELECT experiment_id FROM candidates WHERE ${guard})`, runId, projectId, now),
    stmt(db, `${INFO_SELECT} WHERE c.run_id = ?1 AND c.project_id = ?2`, runId, projectId),
  ]);
  const row = results[results.length - 1].results[0] as InfoRow | undefined;
  requireActiveRun(row, runId);
  return toInfo(row!);
}

async function setLifecycle(db: Database, projectId: number, runId: string, stage: 'active' | 'deleted'): Promise<void> {
  const now = nowMs();
  const [changed] = await batch(db, [
    stmt(
      db,
      `UPDATE candidates SET lifecycle_stage = ?3, deleted_at = ?4, updated_at = ?5 WHERE run_id = ?1 AND project_id = ?2 RETURNING experiment_id`,
      runId,
      projectId,
      stage,
      stage === 'deleted' ? now : null,
      now,
    ),
    // A deleted experiment's time marks when it was deleted (restoring it restores the runs
    // deleted with it), so only an active one records the activity.
    stmt(
      db,
      `UPDATE experiments SET updated_at = ?3 WHERE id = (SELECT experiment_id FROM candidates WHERE run_id = ?1 AND project_id = ?2) AND lifecycle_stage = 'active'`,
      runId,
      projectId,
      now,
    ),
  ]);
  if (changed.results.length === 0) throw runNotFound(runId);
}

/** Soft-deletes a run: it keeps its data and leaves ACTIVE_ONLY views. */
export async function deleteRun(db: Database, projectId: number, runId: string): Promise<void> {
  await setLifecycle(db, projectId, runId, 'deleted');
}

/** Restores a soft-deleted run. */
export async function restoreRun(db: Database, projectId: number, runId: string): Promise<void> {
  await setLifecycle(db, projectId, runId, 'active');
}
