/** Helpers for the MLflow API tests: a project with a member of each kind, and calls under its prefix. */
import { AccessLevel } from '../../../src/access/policy';
import { callJson, seedMember, seedProject, seedUser, unique } from '../../helpers';

/** The MLflow REST prefix of a project. */
export const mlflowPrefix = (projectId: number) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow`;

/** A project with its owner's token and an `api(method, path, body)` caller under its MLflow prefix. */
export async function mlflowProject() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  const prefix = mlflowPrefix(project.id);
  const api = <T = any>(method: string, path: string, body?: unknown, as: string = token) =>
    method === 'GET'
      ? callJson<T>('GET', `${prefix}${path}${body ? `?${new URLSearchParams(body as Record<string, string>)}` : ''}`, { token: as })
      : callJson<T>(method, `${prefix}${path}`, { token: as, json: body ?? {} });
  return { user, token, project, prefix, api };
}

/** Adds a reporter (reads only) to the project and returns their token. */
export async function reporterOf(projectId: number): Promise<string> {
  const { user, token } = await seedUser();
  await seedMember(projectId, user.id, AccessLevel.reporter);
  return token;
}

/** Creates an experiment and a run in it; returns their ids. */
export async function experimentWithRun(api: Awaited<ReturnType<typeof mlflowProject>>['api'], runBody: Record<string, unknown> = {}) {
  const created = await api('POST', '/experiments/create', { name: unique('exp') });
  const experimentId: string = created.body.experiment_id;
  const run = await api('POST', '/runs/create', { experiment_id: experimentId, start_time: 1000, ...runBody });
  return { experimentId, runId: run.body.run.info.run_id as string, run: run.body.run };
}
