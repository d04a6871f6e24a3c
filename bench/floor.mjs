// The floor: the same rows written and read with Node's built-in node:sqlite in this one process,
// with the schema of migrations/ and the SQL statements the worker runs, copied from the domain
// (each method names the function it mirrors). No HTTP, no workerd, no drizzle, no JSON on a wire:
// what the work itself costs in SQLite.
//
// Fidelity rules:
// - Local D1 (miniflare) keeps its SQLite file in WAL mode and fsyncs on commit (seen with strace),
//   so the floor opens its file in WAL mode with SQLite's default synchronous=FULL, on the same disk.
// - One D1 call (a single statement, or a `db.batch([...])`) is one transaction here too: a single
//   statement autocommits, a batch runs inside BEGIN/COMMIT.
// - Every request to the worker first authenticates its token and loads the project (two SELECTs,
//   src/access/tokens.ts authenticateToken and src/access/projects.ts loadProjectAccess); the floor
//   runs them per mirrored request too. The KV flag read and SHA-256 of the token are not SQL and
//   are left out.
// - Statements are prepared once and reused: the best case for raw SQLite.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const ROOT = resolve(import.meta.dirname, '..');

/** Applies every migrations/*.sql in order, as `wrangler d1 migrations apply` does. */
function migrate(db) {
  const dir = join(ROOT, 'migrations');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    for (const stmt of readFileSync(join(dir, file), 'utf8').split('--> statement-breakpoint')) {
      if (stmt.trim()) db.exec(stmt);
    }
  }
}

// src/access/tokens.ts authenticateToken: token, user and the addressed project with the caller's
// membership in one statement (the project by id for the MLflow API, by namespace/path for UI pages)
const SQL_AUTH_TOKEN = `select "personal_access_tokens"."id", "personal_access_tokens"."user_id", "personal_access_tokens"."name", "personal_access_tokens"."token_hash", "personal_access_tokens"."scopes", "personal_access_tokens"."expires_at", "personal_access_tokens"."revoked", "personal_access_tokens"."last_used_at", "personal_access_tokens"."parent_id", "personal_access_tokens"."created_at", "users"."id", "users"."username", "users"."name", "users"."email", "users"."password_hash", "users"."is_admin", "users"."is_blocked", "users"."created_at", "projects"."id", "projects"."namespace", "projects"."path", "projects"."name", "projects"."description", "projects"."created_at", "project_members"."access_level" from "personal_access_tokens" inner join "users" on "users"."id" = "personal_access_tokens"."user_id" left join "projects" on "projects"."id" = ? left join "project_members" on ("project_members"."project_id" = "projects"."id" and "project_members"."user_id" = "users"."id") where "personal_access_tokens"."token_hash" = ? limit ?`;
const SQL_AUTH_TOKEN_BY_PATH = `select "personal_access_tokens"."id", "personal_access_tokens"."user_id", "personal_access_tokens"."name", "personal_access_tokens"."token_hash", "personal_access_tokens"."scopes", "personal_access_tokens"."expires_at", "personal_access_tokens"."revoked", "personal_access_tokens"."last_used_at", "personal_access_tokens"."parent_id", "personal_access_tokens"."created_at", "users"."id", "users"."username", "users"."name", "users"."email", "users"."password_hash", "users"."is_admin", "users"."is_blocked", "users"."created_at", "projects"."id", "projects"."namespace", "projects"."path", "projects"."name", "projects"."description", "projects"."created_at", "project_members"."access_level" from "personal_access_tokens" inner join "users" on "users"."id" = "personal_access_tokens"."user_id" left join "projects" on (lower("projects"."namespace") = lower(?) and lower("projects"."path") = lower(?)) left join "project_members" on ("project_members"."project_id" = "projects"."id" and "project_members"."user_id" = "users"."id") where "personal_access_tokens"."token_hash" = ? limit ?`;
// src/access/tokens.ts authenticateToken: last_used_at, at most once a minute
const SQL_TOUCH_TOKEN = 'update "personal_access_tokens" set "last_used_at" = ? where "personal_access_tokens"."id" = ?';

// ---- src/tracking/experiments.ts createExperiment (the INSERT; its read-back is left out: set-up only)
const SQL_CREATE_EXPERIMENT = `INSERT INTO experiments (project_id, iid, name, user_id, created_at, updated_at)
 SELECT ?1, coalesce(max(iid), 0) + 1, ?2, ?3, ?4, ?4 FROM experiments WHERE project_id = ?1 RETURNING id, iid`;

// ---- src/tracking/candidates.ts createRun: one batch of 4
const SQL_CREATE_RUN = [
  `INSERT INTO candidates (run_id, project_id, experiment_id, name, status, mlflow_user, user_id, start_time, created_at, updated_at) SELECT ?1, e.project_id, e.id, ?2, 'RUNNING', ?3, ?4, ?5, ?6, ?6 FROM experiments e WHERE e.project_id = ?7 AND e.iid = ?8 AND e.lifecycle_stage = 'active' RETURNING id, experiment_id`,
  `INSERT INTO candidate_tags (candidate_id, key, value) SELECT c.id, j.value ->> 0, j.value ->> 1 FROM candidates c, json_each(?2) j WHERE c.run_id = ?1 ON CONFLICT (candidate_id, key) DO UPDATE SET value = excluded.value`,
  `UPDATE experiments SET updated_at = ?1 WHERE project_id = ?2 AND iid = ?3 AND lifecycle_stage = 'active'`,
  `SELECT lifecycle_stage FROM experiments WHERE project_id = ? AND iid = ?`,
];

// ---- src/tracking/batch.ts logBatch (logBatchStatements + runStateStatement): one batch
const GUARD = `c.run_id = ?1 AND c.project_id = ?2 AND c.lifecycle_stage = 'active'`;
const SQL_LOG_PARAMS = `INSERT INTO candidate_params (candidate_id, key, value) SELECT c.id, j.value ->> 0, j.value ->> 1 FROM candidates c, json_each(?3) j WHERE ${GUARD} AND NOT EXISTS ( SELECT 1 FROM candidate_params p WHERE p.candidate_id = c.id AND p.key = j.value ->> 0 AND p.value = j.value ->> 1)`;
const SQL_LOG_TAGS = `INSERT INTO candidate_tags (candidate_id, key, value) SELECT c.id, j.value ->> 0, j.value ->> 1 FROM candidates c, json_each(?3) j WHERE ${GUARD} ON CONFLICT (candidate_id, key) DO UPDATE SET value = excluded.value`;
// the check before the points go to the run's history object (checkWritable)
const SQL_CHECK_WRITABLE = `SELECT lifecycle_stage, EXISTS ( SELECT 1 FROM json_each(?3) j JOIN candidate_params p ON p.candidate_id = c.id AND p.key = j.value ->> 0 AND p.value <> j.value ->> 1 ) AS clash FROM candidates c WHERE run_id = ?1 AND project_id = ?2`;
const SQL_LOG_LATEST = `INSERT INTO latest_metrics (candidate_id, key, step, timestamp, value, is_nan, min_value, max_value) SELECT c.id, j.value ->> 0, j.value ->> 2, j.value ->> 3, j.value ->> 1, j.value ->> 4, j.value ->> 5, j.value ->> 6 FROM candidates c, json_each(?3) j WHERE ${GUARD} ON CONFLICT (candidate_id, key) DO UPDATE SET step = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value) THEN excluded.step ELSE latest_metrics.step END, timestamp = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value) THEN excluded.timestamp ELSE latest_metrics.timestamp END, value = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value) THEN excluded.value ELSE latest_metrics.value END, is_nan = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value) THEN excluded.is_nan ELSE latest_metrics.is_nan END, min_value = min(coalesce(latest_metrics.min_value, excluded.min_value), coalesce(excluded.min_value, latest_metrics.min_value)), max_value = max(coalesce(latest_metrics.max_value, excluded.max_value), coalesce(excluded.max_value, latest_metrics.max_value))`;
const SQL_RUN_STATE = `SELECT id, lifecycle_stage FROM candidates WHERE run_id = ?1 AND project_id = ?2`;

// ---- src/tracking/experiments.ts projectExperimentIds (runs/search route, before the search)
const SQL_PROJECT_EXPERIMENT_IDS = 'SELECT id FROM experiments WHERE project_id = ?1 AND iid IN (SELECT value FROM json_each(?2)) ORDER BY iid';

// ---- src/tracking/search/runs.ts searchRunIds, as compiled for W2's filter and order_by
const SQL_SEARCH_W2 = `SELECT c.id AS id, (CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) AS r0, o0.value AS v0, 0 AS r1, c.start_time AS v1, 0 AS r2, c.run_id AS v2 FROM candidates c CROSS JOIN latest_metrics f0 ON f0.candidate_id = c.id AND f0.key = ? AND f0.is_nan = 0 AND f0.value > ? CROSS JOIN candidate_params f1 ON f1.candidate_id = c.id AND f1.key = ? AND f1.value = ? LEFT JOIN latest_metrics o0 ON o0.candidate_id = c.id AND o0.key = ? WHERE c.experiment_id = ? AND c.lifecycle_stage = 'active' ORDER BY (CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) ASC, o0.value DESC, c.start_time DESC, c.run_id ASC LIMIT ?`;

// ---- src/tracking/candidates.ts loadRuns (loadRunsWhere with json_each of the ids): one batch of 6
const SQL_LOAD_RUNS = [
  `SELECT c.id, c.run_id, c.project_id, c.experiment_id, e.iid, c.name, c.mlflow_user, c.user_id, c.status, c.start_time, c.end_time, c.lifecycle_stage, c.deleted_at, c.created_at, c.updated_at FROM candidates c JOIN experiments e ON e.id = c.experiment_id WHERE c.id IN (SELECT value FROM json_each(?1))`,
  `SELECT candidate_id, json_group_array(json_array(key, value) ORDER BY rowid) AS rows FROM candidate_params WHERE candidate_id IN (SELECT value FROM json_each(?1)) GROUP BY candidate_id`,
  `SELECT candidate_id, json_group_array(json_array(key, value) ORDER BY rowid) AS rows FROM candidate_tags WHERE candidate_id IN (SELECT value FROM json_each(?1)) GROUP BY candidate_id`,
  `SELECT candidate_id, json_group_array(json_array(key, value, is_nan, timestamp, step) ORDER BY rowid) AS rows FROM latest_metrics WHERE candidate_id IN (SELECT value FROM json_each(?1)) GROUP BY candidate_id`,
  `SELECT i.candidate_id, i.tags, d.name, d.digest, d.source_type, d.source, d.schema, d.profile FROM candidate_inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.candidate_id IN (SELECT value FROM json_each(?1)) ORDER BY i.rowid`,
  `SELECT candidate_id, model_id, direction, step FROM candidate_model_io WHERE candidate_id IN (SELECT value FROM json_each(?1)) ORDER BY rowid`,
];

// ---- src/tracking/metrics.ts metricHistoryJson / metricHistoryBulkInterval: D1 finds the runs; the points come from
// each run's history object (src/tracking/metric-history.ts, mirrored by FloorHistory below), JSON built in JS
const SQL_HISTORY_RUN = 'SELECT id, EXISTS (SELECT 1 FROM metrics WHERE candidate_id = c.id) AS legacy FROM candidates c WHERE run_id = ? AND project_id = ?';
const SQL_BULK_RUNS = `SELECT id, run_id, EXISTS (SELECT 1 FROM metrics WHERE candidate_id = c.id) AS legacy FROM candidates c WHERE +project_id = ? AND run_id IN (SELECT value FROM json_each(?))`;

// ---- src/tracking/metric-history.ts MetricHistory: one SQLite database per run
const HISTORY_SCHEMA = `
  CREATE TABLE IF NOT EXISTS metric_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS points (
    key_id INTEGER NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,
    PRIMARY KEY (key_id, step, timestamp, value, is_nan)
  ) WITHOUT ROWID;`;
/** How many history databases the floor keeps open at once (see Floor.history). */
const OPEN_HISTORIES = 256;
const H_ORDER = 'ORDER BY step, timestamp, value, is_nan';
const H_COLUMNS = 'SELECT step, timestamp, value, is_nan FROM points';
/** MetricHistory's statements, by what they do. */
const H = {
  addKey: 'INSERT INTO metric_keys (key) VALUES (?) ON CONFLICT (key) DO NOTHING',
  keyId: 'SELECT id FROM metric_keys WHERE key = ?',
  addPoint: 'INSERT OR IGNORE INTO points VALUES (?, ?, ?, ?, ?)',
  page: `${H_COLUMNS} WHERE key_id = ? ${H_ORDER} LIMIT ?`,
  pageAfter: `${H_COLUMNS} WHERE key_id = ? AND (step, timestamp, value, is_nan) > (?, ?, ?, ?) ${H_ORDER} LIMIT ?`,
  // range: the first step in [start, end], the last, and the count up to a cap; sample's seek per bucket is the first
  firstStep: 'SELECT step FROM points WHERE key_id = ? AND step >= ? AND step <= ? ORDER BY step LIMIT 1',
  lastStep: 'SELECT step FROM points WHERE key_id = ? AND step <= ? ORDER BY step DESC LIMIT 1',
  count: 'SELECT count(*) AS n FROM (SELECT 1 FROM points WHERE key_id = ? AND step BETWEEN ? AND ? LIMIT ?)',
  between: `${H_COLUMNS} WHERE key_id = ? AND step BETWEEN ? AND ? ${H_ORDER}`,
  atStep: `${H_COLUMNS} WHERE key_id = ? AND step = ? ${H_ORDER}`,
};

/** A run's history database, as the Durable Object keeps it (same schema, same statements, same calls). */
class FloorHistory {
  constructor(file) {
    this.file = file;
    this.db = new DatabaseSync(file);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec(HISTORY_SCHEMA);
    this.cache = new Map();
  }
  stmt(sql) {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
  keyId(key) {
    return this.stmt(H.keyId).get(key)?.id ?? null;
  }
  append(rows) {
    this.db.exec('BEGIN');
    const ids = new Map();
    let added = 0;
    for (const [key, value, step, timestamp, isNan] of rows) {
      let id = ids.get(key);
      if (id === undefined) {
        this.stmt(H.addKey).run(key);
        id = this.keyId(key);
        ids.set(key, id);
      }
      added += Number(this.stmt(H.addPoint).run(id, step, timestamp, value, isNan).changes);
    }
    this.db.exec('COMMIT');
    return added;
  }
  page(key, limit, after) {
    const id = this.keyId(key);
    if (id === null) return [];
    const rows = after ? this.stmt(H.pageAfter).all(id, ...after, limit) : this.stmt(H.page).all(id, limit);
    return rows.map((r) => [r.step, r.timestamp, r.value, r.is_nan]);
  }
  range(key, start, end, cap) {
    const id = this.keyId(key);
    if (id === null) return null;
    const lo = this.stmt(H.firstStep).get(id, start, end);
    if (!lo) return null;
    const hi = this.stmt(H.lastStep).get(id, end);
    const count = this.stmt(H.count).get(id, start, end, cap + 1).n;
    return { lo: lo.step, hi: hi.step, count };
  }
  sample(key, start, end, max) {
    const id = this.keyId(key);
    const own = this.range(key, start, end, max);
    if (id === null || own === null) return [];
    if (own.count <= max) return this.stmt(H.between).all(id, start, end);
    const steps = new Set();
    const seek = this.stmt(H.firstStep);
    for (let i = 0; i === 0 || i < max - 1; i++) {
      const found = seek.get(id, own.lo + Math.trunc((own.hi - own.lo) * (i / Math.max(max - 1, 1))), own.hi);
      if (found) steps.add(found.step);
    }
    steps.add(own.hi);
    const out = [];
    const at = this.stmt(H.atStep);
    for (const step of [...steps].sort((a, b) => a - b)) {
      for (const row of at.all(id, step)) {
        if (out.length === max) return out;
        out.push(row);
      }
    }
    return out;
  }
  close() {
    this.db.close();
  }
}

/** MLflow's JSON of stored points, as src/tracking/metrics.ts pointsJson writes it. */
function pointsJson(key, rows) {
  const q = JSON.stringify(key);
  return rows
    .map(([step, timestamp, value, isNan]) => {
      const v = isNan ? NaN : value >= 1.7976931348623157e308 ? Infinity : value <= -1.7976931348623157e308 ? -Infinity : value;
      return `{"key":${q},"value":${Number.isFinite(v) ? String(v) : `"${v}"`},"timestamp":${timestamp},"step":${step}}`;
    })
    .join(',');
}

// ---- src/tracking/candidate-table.ts (Experiment Candidates, src/ui/candidates.tsx)
// getExperimentHeader
const SQL_EXPERIMENT_HEADER = 'select "id", "iid", "name", "created_at", "updated_at", (SELECT t.value FROM experiment_tags t WHERE t.experiment_id = experiments.id AND t.key = ?) from "experiments" where ("experiments"."project_id" = ? and "experiments"."iid" = ? and "experiments"."lifecycle_stage" = ?) limit ?';
// experimentColumnKeys with { recent: 1000 } (the page looks at the newest 1000 candidates): one batch of 3
const SQL_COLUMN_KEYS = [
  `select distinct "key" from "candidate_params" where "candidate_params"."candidate_id" IN (SELECT "candidates"."id" FROM "candidates" WHERE "candidates"."experiment_id" = ? AND "candidates"."lifecycle_stage" = 'active' ORDER BY "candidates"."start_time" DESC LIMIT ?) order by "candidate_params"."key" limit ?`,
  `select distinct "key" from "latest_metrics" where "latest_metrics"."candidate_id" IN (SELECT "candidates"."id" FROM "candidates" WHERE "candidates"."experiment_id" = ? AND "candidates"."lifecycle_stage" = 'active' ORDER BY "candidates"."start_time" DESC LIMIT ?) order by "latest_metrics"."key" limit ?`,
  `select distinct "key" from "candidate_tags" where "candidate_tags"."candidate_id" IN (SELECT "candidates"."id" FROM "candidates" WHERE "candidates"."experiment_id" = ? AND "candidates"."lifecycle_stage" = 'active' ORDER BY "candidates"."start_time" DESC LIMIT ?) AND "candidate_tags"."key" NOT LIKE 'mlflow.%' order by "candidate_tags"."key" limit ?`,
];
// src/tracking/search/runs.ts searchRunIds as the page compiles it: sort=metric:m1 (DESC), first page and after a keyset
const SQL_UI_SORT_FIRST = `SELECT c.id AS id, (CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) AS r0, o0.value AS v0, 0 AS r1, c.start_time AS v1, 0 AS r2, c.run_id AS v2 FROM candidates c LEFT JOIN latest_metrics o0 ON o0.candidate_id = c.id AND o0.key = ? WHERE c.experiment_id = ? AND c.lifecycle_stage = 'active' ORDER BY (CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) ASC, o0.value DESC, c.start_time DESC, c.run_id ASC LIMIT ?`;
const SQL_UI_SORT_AFTER = `SELECT c.id AS id, (CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) AS r0, o0.value AS v0, 0 AS r1, c.start_time AS v1, 0 AS r2, c.run_id AS v2 FROM candidates c LEFT JOIN latest_metrics o0 ON o0.candidate_id = c.id AND o0.key = ? WHERE c.experiment_id = ? AND c.lifecycle_stage = 'active' AND (((CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) > 0 OR ((CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) = 0 AND o0.value < ?)) OR (((CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) = 0 AND o0.value = ?) AND (c.start_time < ? OR (c.start_time = ? AND c.run_id > ?)))) ORDER BY (CASE WHEN o0.candidate_id IS NULL THEN 2 WHEN o0.is_nan = 1 THEN 1 ELSE 0 END) ASC, o0.value DESC, c.start_time DESC, c.run_id ASC LIMIT ?`;
// ---- Sweep (src/ui/sweep.tsx, src/tracking/sweep.ts loadSweep): every matching id by the colour metric (SQL_UI_SORT_FIRST), then the drawn ones' axes
const SQL_SWEEP_LINES = `SELECT c.id, c.name, c.run_id, (SELECT json_group_array(json_array(p.key, p.value)) FROM candidate_params p WHERE p.candidate_id = c.id AND p.key IN (SELECT value FROM json_each(?))) AS params, (SELECT json_group_array(json_array(m.key, m.value, m.is_nan)) FROM latest_metrics m WHERE m.candidate_id = c.id AND m.key IN (SELECT value FROM json_each(?))) AS metrics FROM json_each(?) AS picked JOIN candidates c ON c.id = picked.value ORDER BY picked.key`;
// the table's total (countRuns), the children of the page's parents (childCandidateIds), the user's remembered columns (savedColumns)
const SQL_COUNT_CANDIDATES = `SELECT count(*) AS n FROM candidates c WHERE c.experiment_id = ? AND c.lifecycle_stage = 'active'`;
const SQL_CHILD_CANDIDATES = `SELECT c.id FROM candidate_tags t CROSS JOIN candidates c ON c.id = t.candidate_id
    WHERE t.key = 'mlflow.parentRunId' AND t.value IN (SELECT run_id FROM candidates WHERE id IN (SELECT value FROM json_each(?)))
      AND c.experiment_id = ? AND c.lifecycle_stage = 'active'
    ORDER BY c.start_time, c.id LIMIT ?`;
const SQL_SAVED_COLUMNS = `select "columns" from "candidate_table_columns" where ("candidate_table_columns"."user_id" = ? and "candidate_table_columns"."experiment_id" = ?)`;
// loadCandidateRows: one batch of 4
const SQL_CANDIDATE_ROWS = [
  'select "id", "run_id", "name", "status", "mlflow_user", "start_time", "end_time" from "candidates" where "candidates"."id" IN (SELECT value FROM json_each(?))',
  'select "candidate_id", "key", "value" from "candidate_params" where "candidate_params"."candidate_id" IN (SELECT value FROM json_each(?))',
  'select "candidate_id", "key", "value", "is_nan" from "latest_metrics" where "latest_metrics"."candidate_id" IN (SELECT value FROM json_each(?))',
  'select "candidate_id", "key", "value" from "candidate_tags" where "candidate_tags"."candidate_id" IN (SELECT value FROM json_each(?))',
];

// ---- Candidate Detail (src/ui/candidate.tsx): getCandidateRun (loadRunsWhere by id, batch of 6),
// metricSummaries, relatedCandidates, getUser, getExperimentHeader; its chart data adds the bulk interval
const BY_ID = 'SELECT id FROM candidates WHERE id = ?1 AND project_id = ?2';
const SQL_CANDIDATE_RUN = SQL_LOAD_RUNS.map((sql) => sql.replaceAll('SELECT value FROM json_each(?1)', BY_ID));
const SQL_METRIC_SUMMARIES = `select "candidate_id", "key", "step", "timestamp", "value", "is_nan", "min_value", "max_value" from "latest_metrics" where "latest_metrics"."candidate_id" = ? order by "latest_metrics"."key" asc`;
const SQL_RELATED_CHILDREN = `SELECT c.id, c.run_id AS runId, c.name, c.status FROM candidate_tags t CROSS JOIN candidates c ON c.id = t.candidate_id WHERE t.key = 'mlflow.parentRunId' AND t.value IN (?) AND c.experiment_id = ? AND c.lifecycle_stage = 'active' ORDER BY c.start_time LIMIT ?`;
// src/packages/packages.ts resolvePackage (the candidate, then its package) and src/packages/files.ts
// listDirectory: the artifact browser on Candidate Detail (src/ui/artifacts.tsx loadArtifactView)
const SQL_RESOLVE_PACKAGE = [`select "id" from "candidates" where ("candidates"."id" = ? and "candidates"."project_id" = ?)`, `select "id", "project_id", "name", "version", "package_type", "created_at", "updated_at" from "packages" where ("packages"."project_id" = ? and "packages"."package_type" = ? and "packages"."name" = ? and "packages"."version" = ?)`];
const SQL_LIST_DIRECTORY = `SELECT name, MAX(is_dir) AS is_dir, MAX(CASE WHEN is_dir = 0 THEN size END) AS size FROM ( SELECT CASE WHEN instr(rest, '/') > 0 THEN substr(rest, 1, instr(rest, '/') - 1) ELSE rest END AS name, instr(rest, '/') > 0 AS is_dir, size FROM (SELECT substr(file_path, length(?) + 1) AS rest, size FROM package_files WHERE package_id = ? ) ) GROUP BY name ORDER BY name`;
const SQL_GET_USER = 'select "id", "username", "name", "email", "password_hash", "is_admin", "is_blocked", "created_at" from "users" where "users"."id" = ?';

// ---- src/tracking/traces/traces.ts createTrace: one batch of 7 (the trace, its tags and metadata
// guarded by "the experiment is the project's and active", then the info read back)
const SQL_CREATE_TRACE = [
  `INSERT INTO traces (trace_id, project_id, experiment_id, request_time, execution_time, state, request_preview, response_preview, client_request_id) SELECT ?2, ?1, e.id, ?4, ?5, ?6, ?7, ?8, ?9 FROM experiments e WHERE e.project_id = ?1 AND e.iid = ?3 AND e.lifecycle_stage = 'active' ON CONFLICT (project_id, trace_id) DO UPDATE SET request_time = excluded.request_time, execution_time = excluded.execution_time, state = excluded.state, request_preview = excluded.request_preview, response_preview = excluded.response_preview, client_request_id = excluded.client_request_id WHERE traces.experiment_id = excluded.experiment_id`,
  `INSERT OR REPLACE INTO trace_tags (trace_id, key, value) SELECT (SELECT t.id FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.project_id = ?1 AND t.trace_id = ?2 AND e.iid = ?3 AND e.lifecycle_stage = 'active'), j.key, j.value FROM json_each(?4) j WHERE (SELECT t.id FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.project_id = ?1 AND t.trace_id = ?2 AND e.iid = ?3 AND e.lifecycle_stage = 'active') IS NOT NULL`,
  `INSERT OR REPLACE INTO trace_metadata (trace_id, key, value) SELECT (SELECT t.id FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.project_id = ?1 AND t.trace_id = ?2 AND e.iid = ?3 AND e.lifecycle_stage = 'active'), j.key, j.value FROM json_each(?4) j WHERE (SELECT t.id FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.project_id = ?1 AND t.trace_id = ?2 AND e.iid = ?3 AND e.lifecycle_stage = 'active') IS NOT NULL`,
  `SELECT t.id, t.trace_id, t.experiment_id, e.iid, t.request_time, t.execution_time, t.state, t.request_preview, t.response_preview, t.client_request_id, t.spans_size FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') AND t.trace_id = ?2`,
  `SELECT trace_id, key, value FROM trace_tags WHERE trace_id = (SELECT t.id FROM traces t WHERE t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') AND t.trace_id = ?2) ORDER BY rowid`,
  `SELECT trace_id, key, value FROM trace_metadata WHERE trace_id = (SELECT t.id FROM traces t WHERE t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') AND t.trace_id = ?2) ORDER BY rowid`,
  `SELECT id, trace_id, assessment_id, name, valid, body FROM trace_assessments WHERE trace_id = (SELECT t.id FROM traces t WHERE t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') AND t.trace_id = ?2) ORDER BY id`,
];
// traceRowId (the spans upload's lookup)
const SQL_TRACE_ROW_ID = `SELECT t.id FROM traces t WHERE t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') AND t.trace_id = ?2`;
const SQL_LOAD_TRACE_INFOS = [
  `SELECT t.id, t.trace_id, t.experiment_id, e.iid, t.request_time, t.execution_time, t.state, t.request_preview, t.response_preview, t.client_request_id, t.spans_size FROM traces t JOIN experiments e ON e.id = t.experiment_id WHERE t.id IN (SELECT value FROM json_each(?2)) AND t.project_id = ?1 AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active')`,
  `SELECT trace_id, key, value FROM trace_tags WHERE trace_id IN (SELECT value FROM json_each(?1)) ORDER BY rowid`,
  `SELECT trace_id, key, value FROM trace_metadata WHERE trace_id IN (SELECT value FROM json_each(?1)) ORDER BY rowid`,
  `SELECT id, trace_id, assessment_id, name, valid, body FROM trace_assessments WHERE trace_id IN (SELECT value FROM json_each(?1)) ORDER BY id`,
];
// src/tracking/traces/spans.ts putTraceFile: after the bytes are in R2
const SQL_TRACE_SPANS_SIZE = 'UPDATE traces SET spans_size = ? WHERE id = ?';
// src/tracking/search/traces.ts searchTraceRowIds as compiled for W6's filter, and with none
const SQL_SEARCH_TRACES_W6 = `SELECT t.id AS id, 0 AS r0, t.request_time AS v0, 0 AS r1, t.trace_id AS v1 FROM traces t WHERE t.experiment_id = ? AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') AND (EXISTS (SELECT 1 FROM trace_tags x WHERE x.trace_id = t.id AND x.key = ? AND x.value = ?) AND t.execution_time > ?) ORDER BY t.request_time DESC, t.trace_id ASC LIMIT ?`;
const SQL_SEARCH_TRACES_NEWEST = `SELECT t.id AS id, 0 AS r0, t.request_time AS v0, 0 AS r1, t.trace_id AS v1 FROM traces t WHERE t.experiment_id = ? AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = t.experiment_id AND e.lifecycle_stage = 'active') ORDER BY t.request_time DESC, t.trace_id ASC LIMIT ?`;

/** The SQL texts the floor runs, by the domain function they mirror (for bench/sql-capture.ts). */
export const MIRRORED_SQL = {
  authenticateToken: [SQL_AUTH_TOKEN, SQL_AUTH_TOKEN_BY_PATH],
  createRun: SQL_CREATE_RUN,
  logBatch: [SQL_CHECK_WRITABLE, SQL_LOG_PARAMS, SQL_LOG_TAGS, SQL_LOG_LATEST, SQL_RUN_STATE],
  projectExperimentIds: [SQL_PROJECT_EXPERIMENT_IDS],
  searchRunIds: [SQL_SEARCH_W2],
  loadRuns: SQL_LOAD_RUNS,
  metricHistoryJson: [SQL_HISTORY_RUN],
  metricHistoryBulkInterval: [SQL_BULK_RUNS],
  getExperimentHeader: [SQL_EXPERIMENT_HEADER],
  experimentColumnKeys: SQL_COLUMN_KEYS,
  searchRunIdsUiSort: [SQL_UI_SORT_FIRST, SQL_UI_SORT_AFTER],
  loadCandidateRows: SQL_CANDIDATE_ROWS,
  getCandidateRun: SQL_CANDIDATE_RUN,
  metricSummaries: [SQL_METRIC_SUMMARIES],
  relatedCandidates: [SQL_RELATED_CHILDREN],
  getUser: [SQL_GET_USER],
  resolvePackage: SQL_RESOLVE_PACKAGE,
  listDirectory: [SQL_LIST_DIRECTORY],
  loadSweep: [SQL_SWEEP_LINES],
  countRuns: [SQL_COUNT_CANDIDATES],
  childCandidateIds: [SQL_CHILD_CANDIDATES],
  savedColumns: [SQL_SAVED_COLUMNS],
  createTrace: SQL_CREATE_TRACE,
  traceRowId: [SQL_TRACE_ROW_ID],
  loadTraceInfos: SQL_LOAD_TRACE_INFOS,
  searchTraceRowIds: [SQL_SEARCH_TRACES_W6, SQL_SEARCH_TRACES_NEWEST],
  MetricHistory: [HISTORY_SCHEMA, ...Object.values(H)],
};

/** The stored form of a metric value (src/tracking/metric-values.ts encodeMetricValue). */
function encodeValue(v) {
  if (Number.isNaN(v)) return [0, 1];
  if (v === Infinity) return [1.7976931348623157e308, 0];
  if (v === -Infinity) return [-1.7976931348623157e308, 0];
  return [v, 0];
}

/** Mirrors src/tracking/batch.ts summaryPerKey: each key's latest row, then its batch min and max (NaN aside). */
function summaryPerKey(rows) {
  const latest = new Map();
  const range = new Map();
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

export class Floor {
  /**
   * A fresh floor database in a temp folder, or (with `attach`) the worker's own local D1 file,
   * stopped, for seeding rows with the very statements the floor mirrors (D1 only: no history).
   */
  constructor({ attach = null } = {}) {
    this.cache = new Map();
    if (attach) {
      this.dir = null;
      this.attached = true;
      this.db = new DatabaseSync(attach.file);
      this.db.exec('PRAGMA foreign_keys = ON');
      // seeding only: no fsync per transaction (the worker is stopped; its file is closed)
      this.db.exec('PRAGMA synchronous = OFF');
      const user = this.db.prepare("select id from users where username = 'root'").get();
      const token = this.db.prepare('select id, token_hash from personal_access_tokens where user_id = ? order by id limit 1').get(user.id);
      this.userId = Number(user.id);
      this.tokenId = Number(token.id);
      this.tokenHash = token.token_hash;
      this.projectId = attach.projectId;
      return;
    }
    this.dir = mkdtempSync(join(tmpdir(), 'flaretrack-floor-'));
    this.db = new DatabaseSync(join(this.dir, 'floor.sqlite'));
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA foreign_keys = ON'); // D1 enforces foreign keys
    migrate(this.db);
    // the bootstrap's rows (src/access/bootstrap.ts), written directly: set-up, not measured
    const secret = 'ftpat-floor';
    this.tokenHash = createHash('sha256').update(secret).digest('hex');
    this.userId = Number(this.db.prepare("insert into users (username, name, email, is_admin) values ('root', 'Administrator', 'root@flaretrack.invalid', 1) returning id").get().id);
    this.tokenId = Number(this.db.prepare("insert into personal_access_tokens (user_id, name, token_hash, scopes) values (?, 'bootstrap', ?, 'api') returning id").get(this.userId, this.tokenHash).id);
    this.projectId = Number(this.db.prepare("insert into projects (namespace, path, name) values ('root', 'demo', 'Demo') returning id").get().id);
    this.db.prepare('insert into project_members (project_id, user_id, access_level) values (?, ?, 50)').run(this.projectId, this.userId);
  }

  /** A prepared statement for `sql`, prepared once. */
  stmt(sql) {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction (a D1 `batch`). */
  batch(fn) {
    this.db.exec('BEGIN');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /**
   * What every request runs before its route: authenticateToken, which also loads the project the
   * path names and the caller's membership (by id for the API, by namespace/path for UI pages).
   */
  authenticate(now = Date.now(), { byPath = false } = {}) {
    const row = byPath
      ? this.stmt(SQL_AUTH_TOKEN_BY_PATH).get('root', 'demo', this.tokenHash, 1)
      : this.stmt(SQL_AUTH_TOKEN).get(this.projectId, this.tokenHash, 1);
    if (!row) throw new Error('floor: token not found');
    if (this.lastUsed === undefined || now - this.lastUsed > 60_000) {
      this.stmt(SQL_TOUCH_TOKEN).run(now, this.tokenId);
      this.lastUsed = now;
    }
  }


  /** experiments/create (src/tracking/experiments.ts createExperiment). Returns { id, iid }. */
  createExperiment(name) {
    this.authenticate();
    const row = this.stmt(SQL_CREATE_EXPERIMENT).get(this.projectId, name, this.userId, Date.now());
    return { id: Number(row.id), iid: Number(row.iid) };
  }

  /** runs/create (createRun): one transaction of 4 statements. Returns { candidateId, runId }. */
  createRun(experiment, create) {
    this.authenticate();
    const runId = randomUUID().replaceAll('-', '');
    const now = Date.now();
    const tags = JSON.stringify([['mlflow.runName', create.run_name]]);
    return this.batch(() => {
      const row = this.stmt(SQL_CREATE_RUN[0]).get(runId, create.run_name, create.user_id, this.userId, create.start_time, now, this.projectId, experiment.iid);
      this.stmt(SQL_CREATE_RUN[1]).run(runId, tags);
      this.stmt(SQL_CREATE_RUN[2]).run(now, this.projectId, experiment.iid);
      const state = this.stmt(SQL_CREATE_RUN[3]).get(this.projectId, experiment.iid);
      if (!row || state?.lifecycle_stage !== 'active') throw new Error('floor: createRun found no active experiment');
      return { candidateId: Number(row.id), runId };
    });
  }

  /**
   * runs/log-batch (logBatch): the D1 check, the points to the run's history, then one D1
   * transaction. `history: false` leaves the points out (seeding rows no workload reads back:
   * a history file per run costs a file creation and its fsyncs); so does an attached floor.
   */
  logBatch(run, { params = [], tags = [], metrics = [] }, { history = true } = {}) {
    this.authenticate();
    const rows = metrics.map((m) => {
      const [value, isNan] = encodeValue(m.value);
      return [m.key, value, m.step, m.timestamp, isNan];
    });
    if (rows.length) {
      const check = this.stmt(SQL_CHECK_WRITABLE).get(run.runId, this.projectId, JSON.stringify(params.map((p) => [p.key, p.value])));
      if (check?.lifecycle_stage !== 'active' || check.clash) throw new Error('floor: logBatch refused');
      if (history && !this.attached) this.history(run).append(rows);
    }
    this.batch(() => {
      if (params.length) this.stmt(SQL_LOG_PARAMS).run(run.runId, this.projectId, JSON.stringify(params.map((p) => [p.key, p.value])));
      if (tags.length) this.stmt(SQL_LOG_TAGS).run(run.runId, this.projectId, JSON.stringify(tags.map((t) => [t.key, t.value])));
      if (rows.length) this.stmt(SQL_LOG_LATEST).run(run.runId, this.projectId, JSON.stringify(summaryPerKey(rows)));
      const state = this.stmt(SQL_RUN_STATE).get(run.runId, this.projectId);
      if (state?.lifecycle_stage !== 'active') throw new Error('floor: logBatch to a run that is not active');
    });
  }

  /** The run's history database (the Durable Object's), opened on first use and kept open. */
  history(run) {
    this.histories ??= new Map();
    let h = this.histories.get(run.runId);
    if (h) this.histories.delete(run.runId);
    else h = new FloorHistory(join(this.dir, `history-${run.runId}.sqlite`));
    this.histories.set(run.runId, h); // a Map iterates in insertion order: the least recently used first
    return h;
  }

  /**
   * Closes the least recently used history databases beyond OPEN_HISTORIES (each holds 3 file
   * descriptors in WAL mode: W1's 4000 runs would pass a limit of 1024, W2's 25,000 one of
   * 20000), as workerd closes an idle object, off the request path: callers leave it out of
   * their timings (closing checkpoints the WAL, with fsyncs). Returns the ms it took.
   */
  closeIdleHistories() {
    const t = performance.now();
    for (const [runId, h] of this.histories ?? []) {
      if (this.histories.size <= OPEN_HISTORIES) break;
      h.close();
      this.histories.delete(runId);
    }
    return performance.now() - t;
  }

  /** runs/search for W2 (projectExperimentIds, searchRunIds, loadRuns). Returns the candidate ids. */
  searchRuns(experiment, search) {
    this.authenticate();
    const [exp] = this.stmt(SQL_PROJECT_EXPERIMENT_IDS).all(this.projectId, JSON.stringify([experiment.iid]));
    const ids = this.stmt(SQL_SEARCH_W2)
      .all('m0', 0.5, 'p0', 'v1', 'm1', exp.id, search.max_results + 1)
      .slice(0, search.max_results)
      .map((r) => r.id);
    const json = JSON.stringify(ids);
    this.batch(() => {
      for (const sql of SQL_LOAD_RUNS) this.stmt(sql).all(json);
    });
    return ids;
  }

  /** Every point of a metric through metrics/get-history pages of `pageSize` (metricHistoryJson): the run in D1, a page from its history, JSON. */
  getHistoryAll(run, key, pageSize) {
    let after = null;
    let points = 0;
    for (;;) {
      this.authenticate();
      this.stmt(SQL_HISTORY_RUN).get(run.runId, this.projectId);
      const rows = this.history(run).page(key, pageSize + 1, after);
      const page = rows.slice(0, pageSize);
      const json = pointsJson(key, page);
      points += json ? page.length : 0;
      if (rows.length <= pageSize) break;
      after = page[page.length - 1];
    }
    return points;
  }

  /** metrics/get-history-bulk-interval (metricHistoryBulkInterval) for one run. Returns the number of points. */
  bulkInterval(runs, key, maxResults) {
    this.authenticate();
    this.stmt(SQL_BULK_RUNS).all(this.projectId, JSON.stringify(runs.map((r) => r.runId)));
    return runs.reduce((n, r) => n + this.history(r).sample(key, 0, Number.MAX_SAFE_INTEGER, maxResults).length, 0);
  }

  /**
   * The Experiment Candidates page's reads, sorted by latest `sortMetric` descending, the page
   * after the first `skip` rows (keyset: the cursor is found beforehand, unmeasured).
   */
  candidatesPage(experiment, { sortMetric, perPage, skip }) {
    const expId = experiment.id;
    let cursor = null;
    if (skip > 0) {
      this.cursors ??= new Map();
      const k = `${expId}:${sortMetric}:${skip}`;
      if (!this.cursors.has(k)) this.cursors.set(k, this.stmt(SQL_UI_SORT_FIRST).all(sortMetric, expId, skip).at(-1));
      cursor = this.cursors.get(k);
    }
    const t0 = performance.now();
    this.authenticate(Date.now(), { byPath: true });
    this.stmt(SQL_EXPERIMENT_HEADER).get('mlflow.note.content', this.projectId, experiment.iid, 'active', 1);
    this.batch(() => {
      this.stmt(SQL_COLUMN_KEYS[0]).all(expId, 1000, 500);
      this.stmt(SQL_COLUMN_KEYS[1]).all(expId, 1000, 500);
      this.stmt(SQL_COLUMN_KEYS[2]).all(expId, 1000, 500);
    });
    const ids = (
      cursor
        ? this.stmt(SQL_UI_SORT_AFTER).all(sortMetric, expId, cursor.v0, cursor.v0, cursor.v1, cursor.v1, cursor.v2, perPage + 1)
        : this.stmt(SQL_UI_SORT_FIRST).all(sortMetric, expId, perPage + 1)
    )
      .slice(0, perPage)
      .map((r) => r.id);
    this.stmt(SQL_SAVED_COLUMNS).get(this.userId, expId);
    this.stmt(SQL_COUNT_CANDIDATES).get(expId);
    const json = JSON.stringify(ids);
    this.batch(() => {
      for (const sql of SQL_CANDIDATE_ROWS) this.stmt(sql).all(json);
    });
    this.stmt(SQL_CHILD_CANDIDATES).all(json, expId, 500);
    return { ids, ms: performance.now() - t0 };
  }

  /**
   * The sweep page's reads (src/ui/sweep.tsx): the page's column keys, every active candidate
   * ordered by the colour metric, and the axes of the drawn ones (the best `best`, then an even
   * sample of the rest, `lines` in all).
   */
  sweep(experiment, { colorBy, params, metrics, lines, best }) {
    const t0 = performance.now();
    this.authenticate(Date.now(), { byPath: true });
    this.stmt(SQL_EXPERIMENT_HEADER).get('mlflow.note.content', this.projectId, experiment.iid, 'active', 1);
    this.batch(() => {
      this.stmt(SQL_COLUMN_KEYS[0]).all(experiment.id, 1000, 500);
      this.stmt(SQL_COLUMN_KEYS[1]).all(experiment.id, 1000, 500);
      this.stmt(SQL_COLUMN_KEYS[2]).all(experiment.id, 1000, 500);
    });
    const ids = this.stmt(SQL_UI_SORT_FIRST).all(colorBy, experiment.id, 50_001).map((r) => r.id);
    let drawn = ids;
    if (ids.length > lines) {
      const rest = ids.slice(best);
      const stride = rest.length / (lines - best);
      drawn = [...ids.slice(0, best), ...Array.from({ length: lines - best }, (_, i) => rest[Math.floor(i * stride)])];
    }
    const rows = this.stmt(SQL_SWEEP_LINES).all(JSON.stringify(params), JSON.stringify(metrics), JSON.stringify(drawn));
    return { matched: ids.length, drawn: rows.length, ms: performance.now() - t0 };
  }

  /** The Candidate Detail page's reads (its chart data: `chartData`). */
  candidateDetail(run, experiment) {
    this.authenticate(Date.now(), { byPath: true });
    this.batch(() => {
      for (const sql of SQL_CANDIDATE_RUN) this.stmt(sql).all(run.candidateId, this.projectId);
    });
    const summaries = this.stmt(SQL_METRIC_SUMMARIES).all(run.candidateId);
    // the page carries every metric's chart, sampled as metricHistoryBulkInterval does
    const json = JSON.stringify([run.runId]);
    for (const m of summaries) {
      this.stmt(SQL_BULK_RUNS).all(this.projectId, json);
      this.history(run).sample(m.key, 0, Number.MAX_SAFE_INTEGER, 300);
    }
    this.stmt(SQL_RELATED_CHILDREN).all(run.runId, experiment.id, 100);
    this.stmt(SQL_GET_USER).get(this.userId);
    this.stmt(SQL_EXPERIMENT_HEADER).get('mlflow.note.content', this.projectId, experiment.iid, 'active', 1);
    this.stmt(SQL_RESOLVE_PACKAGE[0]).get(run.candidateId, this.projectId);
    const pkg = this.stmt(SQL_RESOLVE_PACKAGE[1]).get(this.projectId, 'generic', `ml_candidate_${run.candidateId}`, '-');
    if (pkg) this.stmt(SQL_LIST_DIRECTORY).all('', pkg.id);
  }

  /** The chart data of one metric on Candidate Detail (`metrics.json`: the run, then 300 sampled points). */
  chartData(run, key) {
    this.authenticate(Date.now(), { byPath: true });
    this.batch(() => {
      for (const sql of SQL_CANDIDATE_RUN) this.stmt(sql).all(run.candidateId, this.projectId);
    });
    this.stmt(SQL_BULK_RUNS).all(this.projectId, JSON.stringify([run.runId]));
    return this.history(run).sample(key, 0, Number.MAX_SAFE_INTEGER, 300).length;
  }

  /** Trace infos by row id (loadTraceInfos): one transaction of 4. */
  loadTraceInfos(ids) {
    const json = JSON.stringify(ids);
    return this.batch(() => [
      this.stmt(SQL_LOAD_TRACE_INFOS[0]).all(this.projectId, json),
      ...SQL_LOAD_TRACE_INFOS.slice(1).map((sql) => this.stmt(sql).all(json)),
    ]);
  }

  /** StartTraceV3 (createTrace): one transaction of 7. `info` is W6's trace_info. */
  startTrace(experiment, info, durationMs) {
    this.authenticate();
    const tags = JSON.stringify(info.tags);
    const metadata = JSON.stringify(info.trace_metadata);
    return this.batch(() => {
      this.stmt(SQL_CREATE_TRACE[0]).run(this.projectId, info.trace_id, experiment.iid, Date.parse(info.request_time), durationMs, info.state, info.request_preview, info.response_preview, null);
      this.stmt(SQL_CREATE_TRACE[1]).run(this.projectId, info.trace_id, experiment.iid, tags);
      this.stmt(SQL_CREATE_TRACE[2]).run(this.projectId, info.trace_id, experiment.iid, metadata);
      const row = this.stmt(SQL_CREATE_TRACE[3]).get(this.projectId, info.trace_id);
      for (const sql of SQL_CREATE_TRACE.slice(4)) this.stmt(sql).all(this.projectId, info.trace_id);
      return Number(row.id);
    });
  }

  /** The spans upload (putTraceFile): the trace's row, the bytes written to a file, the size recorded. */
  putSpans(traceId, spans) {
    this.authenticate();
    const id = Number(this.stmt(SQL_TRACE_ROW_ID).get(this.projectId, traceId).id);
    writeFileSync(join(this.dir, `spans-${id}.json`), spans);
    this.stmt(SQL_TRACE_SPANS_SIZE).run(Buffer.byteLength(spans), id);
  }

  /** traces/search (searchTraces): the experiments, the keyset query, the page's infos. `filtered`: W6's filter. */
  searchTraces(experiment, { filtered, maxResults }) {
    this.authenticate();
    this.stmt(SQL_PROJECT_EXPERIMENT_IDS).all(this.projectId, JSON.stringify([experiment.iid]));
    const rows = filtered
      ? this.stmt(SQL_SEARCH_TRACES_W6).all(experiment.id, 'env', 'dev', 50, maxResults + 1)
      : this.stmt(SQL_SEARCH_TRACES_NEWEST).all(experiment.id, maxResults + 1);
    const ids = rows.slice(0, maxResults).map((r) => Number(r.id));
    this.loadTraceInfos(ids);
    return ids.length;
  }

  /** Closes the database (and removes it unless attached to the worker's). */
  close() {
    try {
      for (const h of this.histories?.values() ?? []) h.close();
      this.db.close();
    } catch {}
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
