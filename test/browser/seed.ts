/** Seeds the running worker through its HTTP APIs (as an admin, then as the seeded user). */
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
