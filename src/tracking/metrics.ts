/**
 * Reading metric history. Pages walk the metrics primary key in order (step, timestamp,
 * value) with a keyset token, so a page costs its own size whatever the history's length.
 * The bulk-interval sampler picks at most `maxResults` steps per run in SQL by index seeks
 * (one per step bucket), never reading the whole history.
 */
import type { Database } from '../db/client';
import { InvalidInputError } from '../errors';
import { batch, stmt } from './d1';
import { runNotFound, type MetricPoint } from './candidates';
import { BULK_INTERVAL_MAX_RESULTS, BULK_INTERVAL_MAX_RUNS, checkMaxResults } from './limits';
import { decodeMetricValue, MAX_DOUBLE } from './metric-values';

const MAX_DOUBLE_SQL = String(MAX_DOUBLE);

/** Largest get-history page (MLflow's client asks for 25000); larger asks get pages of this size. */
export const HISTORY_MAX_PAGE = 25000;

type Cursor = [step: number, timestamp: number, value: number, isNan: number];

function encodeToken(cursor: Cursor): string {
  return btoa(JSON.stringify(cursor)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

function decodeToken(token: string): Cursor {
  try {
    const cursor = JSON.parse(atob(token.replaceAll('-', '+').replaceAll('_', '/')));
    if (Array.isArray(cursor) && cursor.length === 4 && cursor.every((n) => typeof n === 'number')) return cursor as Cursor;
  } catch {
    // fall through
  }
  throw new InvalidInputError('Invalid page token', 'page_token');
}

const HISTORY_WHERE = 'candidate_id = (SELECT id FROM candidates WHERE run_id = ?1 AND project_id = ?2) AND key = ?3';
const HISTORY_ORDER = 'ORDER BY step, timestamp, value, is_nan';
const AFTER_CURSOR = 'AND (step, timestamp, value, is_nan) > (?5, ?6, ?7, ?8)';

/**
 * One page of a run's history of `key`, oldest step first, as the comma-separated MLflow JSON
 * metric objects of the page (`{"key","value","timestamp","step"}`, non-finite values as
 * "NaN" / "Infinity" / "-Infinity"). SQLite writes the JSON itself, so a 25000-point page is
 * one string, not 25000 objects; numbers keep every digit (17 significant digits, read back as
 * the same double). Without `maxResults` the whole history comes back (as MLflow's server
 * does); with it (at most 25000 a page), `nextPageToken` continues after the page's last point.
 */
export async function metricHistoryJson(
  db: Database,
  projectId: number,
  runId: string,
  key: string,
  opts: { maxResults?: number; pageToken?: string } = {},
): Promise<{ items: string; nextPageToken?: string }> {
  if (opts.maxResults !== undefined) checkMaxResults(opts.maxResults);
  const cursor = opts.pageToken ? decodeToken(opts.pageToken) : null;
  // A larger page is cut to the largest one; the token continues it.
  const limit = opts.maxResults === undefined ? -1 : Math.min(opts.maxResults, HISTORY_MAX_PAGE);
  const where = `${HISTORY_WHERE} ${cursor ? AFTER_CURSOR : ''}`;
  // ?1 run id, ?2 project, ?3 key, ?4 page size, ?5..?8 cursor
  const values = [runId, projectId, key, limit, ...(cursor ?? [])];
  const [run, page, next] = await batch(db, [
    stmt(db, 'SELECT id FROM candidates WHERE run_id = ? AND project_id = ?', runId, projectId),
    stmt(
      db,
      `SELECT group_concat('{"key":' || json_quote(?3) || ',"value":' ||
         CASE WHEN is_nan THEN '"NaN"' WHEN value >= ${MAX_DOUBLE_SQL} THEN '"Infinity"' WHEN value <= -${MAX_DOUBLE_SQL} THEN '"-Infinity"' ELSE value END ||
         ',"timestamp":' || timestamp || ',"step":' || step || '}', ',') AS items
       FROM (SELECT step, timestamp, value, is_nan FROM metrics WHERE ${where} ${HISTORY_ORDER} LIMIT ?4)`,
      ...values,
    ),
    // The page's last point and whether another follows: a walk of the index, no JSON.
    ...(limit === -1
      ? []
      : [stmt(db, `SELECT step, timestamp, value, is_nan FROM metrics WHERE ${where} ${HISTORY_ORDER} LIMIT 2 OFFSET ?4 - 1`, ...values)]),
  ]);
  if (run.results.length === 0) throw runNotFound(runId);
  const items = (page.results[0] as { items: string | null } | undefined)?.items ?? '';
  const tail = (next?.results ?? []) as { step: number; timestamp: number; value: number; is_nan: number }[];
  if (tail.length < 2) return { items };
  const last = tail[0];
  return { items, nextPageToken: encodeToken([last.step, last.timestamp, last.value, last.is_nan]) };
}

/** A candidate's whole history of `key` (for the UI's charts; the candidate is already checked). */
export async function candidateMetricHistory(db: Database, candidateId: number, key: string): Promise<MetricPoint[]> {
  const rows = await stmt(
    db,
    'SELECT step, timestamp, value, is_nan FROM metrics WHERE candidate_id = ? AND key = ? ORDER BY step, timestamp, value, is_nan',
    candidateId,
    key,
  ).all();
  return (rows.results as { step: number; timestamp: number; value: number; is_nan: number }[]).map((r) => ({
    key,
    value: decodeMetricValue(r.value, r.is_nan),
    timestamp: r.timestamp,
    step: r.step,
  }));
}

/** A sampled point with the run it belongs to. */
export type RunMetricPoint = MetricPoint & { runId: string };

/**
 * get-history-bulk-interval: for each run (at most 100, all of the project), at most
 * `maxResults` steps of `key` spread evenly over [startStep, endStep] (default: 0 to the
 * largest step), always keeping each run's first and last step in range, and every point
 * logged at those steps. The range is cut into buckets shared by all runs, so runs that log
 * the same steps are sampled at the same steps. Missing runs are RESOURCE_DOES_NOT_EXIST.
 */
export async function metricHistoryBulkInterval(
  db: Database,
  projectId: number,
  input: { runIds: string[]; key: string; startStep?: number; endStep?: number; maxResults?: number },
): Promise<RunMetricPoint[]> {
  const runIds = [...new Set(input.runIds)];
  if (runIds.length === 0) throw new InvalidInputError("Missing value for required parameter 'run_ids'.", 'run_ids');
  if (runIds.length > BULK_INTERVAL_MAX_RUNS) {
    throw new InvalidInputError(`At most ${BULK_INTERVAL_MAX_RUNS} run_ids may be given; got ${runIds.length}.`, 'run_ids');
  }
  const maxResults = input.maxResults ?? BULK_INTERVAL_MAX_RESULTS;
  checkMaxResults(maxResults, BULK_INTERVAL_MAX_RESULTS);
  if ((input.startStep === undefined) !== (input.endStep === undefined)) {
    throw new InvalidInputError('If either start step or end step are specified, both must be specified.', 'start_step');
  }
  if (input.startStep !== undefined && input.endStep !== undefined && input.startStep > input.endStep) {
    throw new InvalidInputError('end_step must be greater than start_step. ', 'end_step');
  }
  const start = input.startStep ?? 0;
  const end = input.endStep ?? Number.MAX_SAFE_INTEGER;
  const json = JSON.stringify(runIds);
  // ?1 project, ?2 run ids, ?3 key, ?4 start, ?5 end, ?6 max results
  const [found, sampled] = await batch(db, [
    stmt(db, 'SELECT run_id FROM candidates WHERE +project_id = ?1 AND run_id IN (SELECT value FROM json_each(?2))', projectId, json),
    stmt(
      db,
      `WITH RECURSIVE
       runs AS MATERIALIZED (
         SELECT c.id AS cid, c.run_id, j.key AS pos,
           (SELECT step FROM metrics WHERE candidate_id = c.id AND key = ?3 AND step >= ?4 ORDER BY step LIMIT 1) AS lo,
           (SELECT step FROM metrics WHERE candidate_id = c.id AND key = ?3 AND step <= ?5 ORDER BY step DESC LIMIT 1) AS hi,
           (SELECT count(*) FROM (SELECT 1 FROM metrics WHERE candidate_id = c.id AND key = ?3 AND step BETWEEN ?4 AND ?5 LIMIT ?6 + 1)) AS n
         FROM json_each(?2) j CROSS JOIN candidates c ON c.run_id = j.value AND +c.project_id = ?1),
       span AS (SELECT min(lo) AS lo, max(hi) AS hi FROM runs WHERE lo <= hi),
       buckets(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM buckets WHERE i + 1 < ?6 - 1),
       picked AS (
         SELECT r.cid, m.step FROM runs r JOIN metrics m ON m.candidate_id = r.cid AND m.key = ?3 AND m.step BETWEEN ?4 AND ?5
         WHERE r.n <= ?6
         UNION
         SELECT r.cid, (SELECT step FROM metrics WHERE candidate_id = r.cid AND key = ?3
                         AND step >= s.lo + CAST((s.hi - s.lo) * (b.i * 1.0 / max(?6 - 1, 1)) AS INTEGER) AND step <= r.hi
                         ORDER BY step LIMIT 1)
         FROM runs r, span s, buckets b WHERE r.n > ?6
         UNION
         SELECT r.cid, r.hi FROM runs r WHERE r.n > ?6 AND r.lo <= r.hi),
       points AS (
         SELECT r.run_id, r.pos, m.step, m.timestamp, m.value, m.is_nan,
           row_number() OVER (PARTITION BY r.cid ORDER BY m.step, m.timestamp, m.value) AS step_rank
         FROM picked pk CROSS JOIN runs r ON r.cid = pk.cid CROSS JOIN metrics m ON m.candidate_id = pk.cid AND m.key = ?3 AND m.step = pk.step
         WHERE pk.step IS NOT NULL)
       SELECT run_id, step, timestamp, value, is_nan FROM points
       WHERE step_rank <= ?6 ORDER BY pos, step, timestamp, value`,
      projectId,
      json,
      input.key,
      start,
      end,
      maxResults,
    ),
  ]);
  if (found.results.length !== runIds.length) {
    const known = new Set((found.results as { run_id: string }[]).map((r) => r.run_id));
    throw runNotFound(runIds.find((id) => !known.has(id))!);
  }
  return (sampled.results as { run_id: string; step: number; timestamp: number; value: number; is_nan: number }[]).map((r) => ({
    runId: r.run_id,
    key: input.key,
    value: decodeMetricValue(r.value, r.is_nan),
    timestamp: r.timestamp,
    step: r.step,
  }));
}
