/**
 * Logging to a run: params, tags and metric points, as log-batch and the single-item
 * endpoints (log-parameter, set-tag, log-metric) do. Everything a request writes to D1 is
 * ONE round trip: one `batch()` (one transaction) whose statements read their rows from one
 * JSON text through `json_each(?)`, with `latest_metrics` upserted in the same transaction; the
 * metric points themselves go to the run's history object (see logBatch for the order).
 *
 * Every write is guarded by "this run, in this project, active", and the batch ends by reading
 * the run's state: when the run is missing or deleted nothing was written and the error is
 * raised from that read. Params are immutable: the insert skips exact repeats (a retried
 * request) and lets any other existing key hit the primary key, which fails and rolls back the
 * whole batch; only then is the conflicting value read, to word the error. So the check costs
 * nothing on the happy path and needs no pre-read.
 */
import type { Database } from '../db/client';
import { InvalidInputError, NotFoundError } from '../errors';
import { batch, first, isUniqueViolation, stmt } from './d1';
import { requireActiveRun, runStateStatement, RUN_NAME_TAG } from './candidates';
import type { KeyValue } from './experiments';
import { checkBatchLimits, checkMetric, checkParam, checkTag } from './limits';
import { encodeMetricValue } from './metric-values';
import { historyOf, type PointRow } from './metric-history';

/** A metric point to log; `modelId` (MLflow 3) also logs it to that logged model. */
export type NewMetric = {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
};

/** What one log-batch carries. */
export type LogBatch = { metrics?: NewMetric[]; params?: KeyValue[]; tags?: KeyValue[] };

const GUARD = `c.run_id = ?1 AND c.project_id = ?2 AND c.lifecycle_stage = 'active'`;

/** Validates a batch against MLflow's limits and rules; throws before anything is written. */
export function checkLogBatch(input: LogBatch): void {
  const metrics = input.metrics ?? [];
  const params = input.params ?? [];
  const tags = input.tags ?? [];
  checkBatchLimits(metrics.length, params, tags.length);
  params.forEach((p, i) => checkParam(p.key, p.value, `params[${i}]`));
  tags.forEach((t, i) => checkTag(t.key, t.value, `tags[${i}]`));
  metrics.forEach((m, i) => checkMetric(m.key, m.timestamp, m.step, `metrics[${i}]`));
}

/** The statements that write a batch (after `checkLogBatch`), guarded by the run's state. */
export function logBatchStatements(db: Database, projectId: number, runId: string, input: LogBatch): D1PreparedStatement[] {
  const metrics = input.metrics ?? [];
  const params = input.params ?? [];
  const tags = input.tags ?? [];
  const out: D1PreparedStatement[] = [];
  if (params.length) {
    out.push(
      stmt(
        db,
        `INSERT INTO candidate_params (candidate_id, key, value)
         SELECT c.id, j.value ->> 0, j.value ->> 1 FROM candidates c, json_each(?3) j
         WHERE ${GUARD} AND NOT EXISTS (
           SELECT 1 FROM candidate_params p WHERE p.candidate_id = c.id AND p.key = j.value ->> 0 AND p.value = j.value ->> 1)`,
        runId,
        projectId,
        JSON.stringify(params.map((p) => [p.key, p.value])),
      ),
    );
  }
  if (tags.length) {
    const json = JSON.stringify(tags.map((t) => [t.key, t.value]));
    out.push(
      stmt(
        db,
        `INSERT INTO candidate_tags (candidate_id, key, value)
         SELECT c.id, j.value ->> 0, j.value ->> 1 FROM candidates c, json_each(?3) j WHERE ${GUARD}
         ON CONFLICT (candidate_id, key) DO UPDATE SET value = excluded.value`,
        runId,
        projectId,
        json,
      ),
    );
    const name = tags.findLast((t) => t.key === RUN_NAME_TAG)?.value;
    if (name) {
      out.push(stmt(db, `UPDATE candidates AS c SET name = ?3 WHERE ${GUARD}`, runId, projectId, name));
    }
  }
  if (metrics.length) {
    const rows = pointRows(metrics);
    out.push(
      // The batch's own latest point of each key (picked here by the same rule, over the
      // stored values) replaces the stored one only when it beats it: largest step, then
      // timestamp, then value. The batch's smallest and largest values widen the stored range.
      // (Every right-hand side below reads the row as it was before this update.)
      stmt(
        db,
        `INSERT INTO latest_metrics (candidate_id, key, step, timestamp, value, is_nan, min_value, max_value)
         SELECT c.id, j.value ->> 0, j.value ->> 2, j.value ->> 3, j.value ->> 1, j.value ->> 4, j.value ->> 5, j.value ->> 6
         FROM candidates c, json_each(?3) j
         WHERE ${GUARD}
         ON CONFLICT (candidate_id, key) DO UPDATE SET
           step = CASE WHEN ${NEWER} THEN excluded.step ELSE latest_metrics.step END,
           timestamp = CASE WHEN ${NEWER} THEN excluded.timestamp ELSE latest_metrics.timestamp END,
           value = CASE WHEN ${NEWER} THEN excluded.value ELSE latest_metrics.value END,
           is_nan = CASE WHEN ${NEWER} THEN excluded.is_nan ELSE latest_metrics.is_nan END,
           min_value = min(coalesce(latest_metrics.min_value, excluded.min_value), coalesce(excluded.min_value, latest_metrics.min_value)),
           max_value = max(coalesce(latest_metrics.max_value, excluded.max_value), coalesce(excluded.max_value, latest_metrics.max_value))`,
        runId,
        projectId,
        JSON.stringify(summaryPerKey(rows)),
      ),
    );
    const forModels = metrics.filter((m) => m.modelId);
    if (forModels.length) {
      const modelRows = forModels.map((m) => {
        const v = encodeMetricValue(m.value);
        return [m.modelId, m.key, v.value, m.step, m.timestamp, v.isNan, m.datasetName ?? null, m.datasetDigest ?? null];
      });
      out.push(
        stmt(
          db,
          `INSERT OR IGNORE INTO logged_model_metrics (model_seq, key, step, timestamp, value, is_nan, run_id, dataset_name, dataset_digest)
           SELECT lm.seq, j.value ->> 1, j.value ->> 3, j.value ->> 4, j.value ->> 2, j.value ->> 5, c.run_id, j.value ->> 6, j.value ->> 7
           FROM candidates c, json_each(?3) j JOIN logged_models lm ON lm.id = j.value ->> 0 AND lm.project_id = c.project_id
           WHERE ${GUARD}`,
          runId,
          projectId,
          JSON.stringify(modelRows),
        ),
      );
    }
  }
  return out;
}

/** The stored form of each point: [key, stored value, step, timestamp, is_nan]. */
function pointRows(metrics: NewMetric[]): PointRow[] {
  return metrics.map((m) => {
    const v = encodeMetricValue(m.value);
    return [m.key, v.value, m.step, m.timestamp, v.isNan];
  });
}

// Whether the batch's point (excluded) beats the stored latest one.
const NEWER = '(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)';

/**
 * Each key's latest row (largest step, then timestamp, then stored value), followed by the
 * smallest and largest non-NaN stored value of the key in the batch (null when all are NaN).
 */
function summaryPerKey(rows: PointRow[]): [...PointRow, number | null, number | null][] {
  const latest = new Map<string, PointRow>();
  const range = new Map<string, [number, number]>();
  for (const row of rows) {
    const best = latest.get(row[0]);
    if (!best || row[2] > best[2] || (row[2] === best[2] && (row[3] > best[3] || (row[3] === best[3] && row[1] > best[1])))) latest.set(row[0], row);
    if (!row[4]) {
      const r = range.get(row[0]);
      range.set(row[0], r ? [Math.min(r[0], row[1]), Math.max(r[1], row[1])] : [row[1], row[1]]);
    }
  }
  return [...latest.values()].map((row) => [...row, range.get(row[0])?.[0] ?? null, range.get(row[0])?.[1] ?? null]);
}

/**
 * Logs a batch of metrics, params and tags to an active run of the project. Params, tags and
 * each metric's latest value with its min and max go to D1 in one transaction; the points go
 * to the run's history object (metric-history.ts). The order makes a crash harmless:
 *
 * 1. D1 is read: the run must exist in the project and be active, and no param may change.
 *    A refused batch stops here, having written nothing.
 * 2. The points are appended to the history object (one transaction; a point already there is
 *    skipped, so a retry adds nothing twice).
 * 3. The D1 transaction writes params, tags and the latest values, guarded again by "active".
 *    Should it refuse (the run was deleted, or a param logged with another value, in between),
 *    the points step 2 added are removed again and the error is raised.
 *
 * The batch is acknowledged only after step 3, so a crash between 2 and 3 loses nothing
 * acknowledged: the client retries, step 2 skips the stored points and step 3 completes. A
 * retried batch changes nothing: params repeat, tags overwrite with the same values, points
 * are skipped by their key (key, step, timestamp, value, NaN-ness).
 */
export async function logBatch(db: Database, projectId: number, runId: string, input: LogBatch): Promise<void> {
  checkLogBatch(input);
  const statements = logBatchStatements(db, projectId, runId, input);
  if (statements.length === 0) {
    const state = await runStateStatement(db, runId, projectId).first<{ lifecycle_stage: string }>();
    requireActiveRun(state ?? undefined, runId);
    return;
  }
  const points = pointRows(input.metrics ?? []);
  let added: PointRow[] = [];
  if (points.length > 0) {
    await checkWritable(db, projectId, runId, input.params ?? []);
    added = (await historyOf(runId).append(points)).map((i) => points[i]);
  }
  try {
    const results = await batch(db, [...statements, runStateStatement(db, runId, projectId)]);
    requireActiveRun(results[results.length - 1].results[0] as { lifecycle_stage: string } | undefined, runId);
  } catch (error) {
    if (added.length > 0) await historyOf(runId).remove(added);
    if (isUniqueViolation(error, 'candidate_params.candidate_id, candidate_params.key')) throw await paramConflict(db, projectId, runId, input.params ?? []);
    throw error;
  }
}

/** Step 1 of a batch with points: the run is active in the project and no param of the batch changes. */
async function checkWritable(db: Database, projectId: number, runId: string, params: KeyValue[]): Promise<void> {
  const row = await first<{ lifecycle_stage: string; clash: number }>(
    db,
    `SELECT lifecycle_stage, EXISTS (
       SELECT 1 FROM json_each(?3) j JOIN candidate_params p ON p.candidate_id = c.id AND p.key = j.value ->> 0 AND p.value <> j.value ->> 1
     ) AS clash FROM candidates c WHERE run_id = ?1 AND project_id = ?2`,
    runId,
    projectId,
    JSON.stringify(params.map((p) => [p.key, p.value])),
  );
  requireActiveRun(row ?? undefined, runId);
  if (row!.clash) throw await paramConflict(db, projectId, runId, params);
}

/** Words MLflow's error for a param logged again with another value. */
async function paramConflict(db: Database, projectId: number, runId: string, params: KeyValue[]): Promise<Error> {
  const existing = (
    await stmt(
      db,
      `SELECT p.key, p.value FROM candidate_params p JOIN candidates c ON c.id = p.candidate_id
       WHERE c.run_id = ?1 AND c.project_id = ?2 AND p.key IN (SELECT value FROM json_each(?3))`,
      runId,
      projectId,
      JSON.stringify(params.map((p) => p.key)),
    ).all<KeyValue>()
  ).results;
  const old = new Map(existing.map((p) => [p.key, p.value]));
  const clash = params.find((p) => old.has(p.key) && old.get(p.key) !== p.value);
  if (!clash) return new NotFoundError(`Run with id=${runId} not found`);
  return new InvalidInputError(
    `Changing param values is not allowed. Param with key='${clash.key}' was already logged with value='${old.get(clash.key)}' for run ID='${runId}'. Attempted logging new value '${clash.value}'.`,
    'params',
  );
}

/** Logs one param (log-parameter). */
export const logParam = (db: Database, projectId: number, runId: string, param: KeyValue) => logBatch(db, projectId, runId, { params: [param] });

/** Sets one tag (set-tag); `mlflow.runName` renames the run. */
export const setTag = (db: Database, projectId: number, runId: string, tag: KeyValue) => logBatch(db, projectId, runId, { tags: [tag] });

/** Logs one metric point (log-metric). */
export const logMetric = (db: Database, projectId: number, runId: string, metric: NewMetric) => logBatch(db, projectId, runId, { metrics: [metric] });

/** Deletes a tag of an active run; a missing tag is RESOURCE_DOES_NOT_EXIST. */
export async function deleteTag(db: Database, projectId: number, runId: string, key: string): Promise<void> {
  const [deleted, state] = await batch(db, [
    stmt(
      db,
      `DELETE FROM candidate_tags WHERE key = ?3 AND candidate_id = (SELECT c.id FROM candidates c WHERE ${GUARD}) RETURNING key`,
      runId,
      projectId,
      key,
    ),
    runStateStatement(db, runId, projectId),
  ]);
  requireActiveRun(state.results[0] as { lifecycle_stage: string } | undefined, runId);
  if (deleted.results.length === 0) throw new NotFoundError(`No tag with name: ${key} in run with id ${runId}`);
}
