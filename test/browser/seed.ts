/** Seeds the running worker through its HTTP APIs (as an admin, then as the seeded user). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const origin = () => inject('origin');

let counter = 0;
/** A unique name within the run. */
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Calls the API with a token; throws on an unexpected status. */
export async function api<T = any>(token: string, method: string, path: string, body?: unknown, expect = [200, 201, 204]): Promise<T> {
  const res = await fetch(`${origin()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A user who owns a project (ML flag on unless `ml: false`), with a token and a password. */
export async function seedOwner(opts: { ml?: boolean } = {}) {
  const admin = inject('adminToken');
  const username = unique('user');
  const password = 'correct horse battery staple';
  const user = await api(admin, 'POST', '/api/v4/users', { username, name: `Name of ${username}`, email: `${username}@example.com`, password });
  const { token } = await api(admin, 'POST', `/api/v4/users/${user.id}/personal_access_tokens`, { name: 'browser-tests', scopes: ['api'] });
  const project = await api(token, 'POST', '/api/v4/projects', { path: unique('proj'), name: unique('Project ') });
  if (opts.ml ?? true) await api(admin, 'POST', '/api/v4/features/ml_experiment_tracking', { value: true, project: project.id });
  return { user, username, password, token, project, projectPath: `/${project.namespace}/${project.path}` };
}

/** The MLflow API of a project. */
export function mlflow(token: string, projectId: number) {
  return <T = any>(method: string, path: string, body?: unknown) => api<T>(token, method, `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${path}`, body);
}

const root = resolve(import.meta.dirname, '../..');

/**
 * Inserts `count` finished candidates `run-0000`… into an experiment, each with params `lr`
 * and `optimizer` and one `accuracy` point, straight into the running worker's local D1 with
 * `wrangler d1 execute --local` (one statement instead of thousands of MLflow calls, which take
 * minutes on a busy machine). Only our own integers go into the SQL.
 */
export async function bulkCandidates(projectId: number, experimentIid: number, count: number, t0: number) {
  const experiment = `(SELECT id FROM experiments WHERE project_id = ${Number(projectId)} AND iid = ${Number(experimentIid)})`;
  const mine = `experiment_id = ${experiment} AND name GLOB 'run-[0-9][0-9][0-9][0-9]'`;
  const i = 'CAST(substr(name, 5) AS INTEGER)';
  const sqlText = `
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${Number(count) - 1})
INSERT INTO candidates (run_id, project_id, experiment_id, name, status, mlflow_user, start_time, end_time)
  SELECT lower(hex(randomblob(16))), ${Number(projectId)}, ${experiment}, printf('run-%04d', i), 'FINISHED', 'alice', ${t0} + i * 1000, ${t0} + i * 1000 + 5000 FROM n;
INSERT INTO candidate_params (candidate_id, key, value) SELECT id, 'lr', printf('%g', (${i} % 7) / 100.0) FROM candidates WHERE ${mine};
INSERT INTO candidate_params (candidate_id, key, value) SELECT id, 'optimizer', CASE WHEN ${i} % 2 = 1 THEN 'adam' ELSE 'sgd' END FROM candidates WHERE ${mine};
INSERT INTO metrics (candidate_id, key, step, timestamp, value, is_nan) SELECT id, 'accuracy', 0, ${t0}, ((${i} * 37) % 1000) / 1000.0 + 0.00012345, 0 FROM candidates WHERE ${mine};
INSERT INTO latest_metrics (candidate_id, key, step, timestamp, value, is_nan) SELECT candidate_id, key, step, timestamp, value, is_nan FROM metrics WHERE key = 'accuracy' AND candidate_id IN (SELECT id FROM candidates WHERE ${mine});
UPDATE experiments SET updated_at = ${Date.now()} WHERE id = ${experiment};
`;
  const dir = mkdtempSync(join(tmpdir(), 'flaretrack-seed-'));
  try {
    const file = join(dir, 'seed.sql');
    writeFileSync(file, sqlText);
    await promisify(execFile)(join(root, 'node_modules/.bin/wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', inject('state'), '--file', file], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
