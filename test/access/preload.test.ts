import { describe, expect, it } from 'vitest';
import { projectRefFromPath } from '../../src/http/matched';
import { routes } from '../../src/http/routes';
import { callJson, seedMember, seedProject, seedUser } from '../helpers';

describe('the project of the path, found while authenticating', () => {
  it('reads the project reference from API and UI paths', () => {
    expect(projectRefFromPath(routes.mlflow.runs.get, '/api/v4/projects/12/ml/mlflow/api/2.0/mlflow/runs/get')).toBe('12');
    expect(projectRefFromPath(routes.projectsApi.members, '/api/v4/projects/team%2Fvision/members')).toBe('team/vision');
    expect(projectRefFromPath(routes.ui.experiments, '/team/vision/-/ml/experiments')).toBe('team/vision');
    expect(projectRefFromPath(routes.ui.openMlflowLink, '/-/ml/open/team%2Fvision')).toBe('team/vision');
    expect(projectRefFromPath(routes.mlflow.unknown, '/api/v4/projects/%E0%A4%A/x')).toBeUndefined();
    expect(projectRefFromPath(routes.gitlab.currentUser, '/api/v4/user')).toBeUndefined();
    expect(projectRefFromPath(routes.ui.signIn, '/-/sign_in')).toBeUndefined();
  });

  it('gives the same answers as a separate project lookup, by id and by path in any case', async () => {
    const owner = await seedUser();
    const reporter = await seedUser();
    const stranger = await seedUser();
    const project = await seedProject(owner.user.id);
    await seedMember(project.id, reporter.user.id, 20);
    const byPath = encodeURIComponent(`${project.namespace}/${project.path}`.toUpperCase());
    for (const ref of [String(project.id), byPath]) {
      expect((await callJson('GET', `/api/v4/projects/${ref}/members`, { token: owner.token })).status).toBe(200);
      expect((await callJson('GET', `/api/v4/projects/${ref}/members`, { token: reporter.token })).status).toBe(200);
      expect((await callJson('POST', `/api/v4/projects/${ref}/members`, { token: reporter.token, json: { user_id: stranger.user.id, access_level: 10 } })).status).toBe(403);
      expect((await callJson('GET', `/api/v4/projects/${ref}/members`, { token: stranger.token })).status).toBe(404);
    }
  });

  it('answers a malformed project reference with 404, not an error', async () => {
    const { token } = await seedUser();
    const res = await callJson('GET', '/api/v4/projects/%E0%A4%A/ml/mlflow/api/2.0/mlflow/experiments/get?experiment_id=1', { token });
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
