import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/env';
import { declare } from '../../src/http/route';
import { declaredRoutes, handlers, mount } from '../../src/http/mount';
import { routes } from '../../src/http/routes';
import { call, callJson, seedMember, seedProject, seedUser } from '../helpers';

describe('the route map', () => {
  it('lets a read_api token make exactly the API requests declared read-only', async () => {
    const { user, token } = await seedUser({ scopes: ['read_api'] });
    const project = await seedProject(user.id, { ml: true });
    const checked: string[] = [];
    for (const route of declaredRoutes()) {
      if (route.protocol === 'html') continue;
      for (const method of route.methods) {
        if (method === 'ALL') continue;
        const params = { id: project.id, upload_id: 'u', part_number: 1, package_id: 1, file_id: 1, model_id: 'm', tag_key: 't', name: 'n', user_id: user.id };
        const path = (route.link as (p: object, rest: string) => string)(params, 'x/y');
        const res = await callJson(method, path, method === 'GET' ? { token } : { token, json: {} });
        const refusedForScope = res.status === 403 && /read_api/.test(res.body.message ?? '');
        expect(refusedForScope, `${method} ${route.path}`).toBe(!(method === 'GET' || route.readOnly));
        checked.push(`${method} ${route.path}`);
      }
    }
    expect(checked).toContain(`POST ${routes.mlflow.runs.search.path}`);
    expect(checked).toContain(`POST ${routes.mlflow.registeredModels.latestVersions.path}`);
  });

  it('refuses a reporter and a guest every route declared write_ml, and nothing is written', async () => {
    const owner = await seedUser();
    const project = await seedProject(owner.user.id, { ml: true });
    const [reporter, guest] = [await seedUser(), await seedUser()];
    await seedMember(project.id, reporter.user.id, 20);
    await seedMember(project.id, guest.user.id, 10);
    const params = {
      id: project.id, namespace: project.namespace, project: project.path, iid: 1, candidate_id: 1, name: 'n', version: 1,
      trace_id: 't', assessment_id: 'a', model_id: 'm', tag_key: 't', package_id: 1, file_id: 1,
    };
    const writes = declaredRoutes().filter((r) => r.ability === 'write_ml');
    const checked: string[] = [];
    for (const route of writes) {
      const path = (route.link as (p: object, rest: string) => string)(params, 'ml_candidate_1/-/x');
      for (const method of route.methods) {
        const body = route.protocol === 'html' ? { body: new URLSearchParams({ name: 'taken over' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : { json: { name: 'taken over' } };
        const asReporter = await call(method, path, method === 'GET' ? { token: reporter.token } : { token: reporter.token, ...body });
        expect(asReporter.status, `reporter ${method} ${route.path}`).toBe(403);
        // A guest may see the project but not its ML data: the pages hide it (404), the APIs refuse (403).
        const asGuest = await call(method, path, method === 'GET' ? { token: guest.token } : { token: guest.token, ...body });
        expect(asGuest.status, `guest ${method} ${route.path}`).toBe(route.protocol === 'html' ? 404 : 403);
        checked.push(`${method} ${route.path}`);
      }
    }
    expect(checked).toContain(`POST ${routes.mlflow.experiments.create.path}`);
    expect(checked).toContain(`POST ${routes.ui.createExperiment.path}`);
    expect(checked.length).toBeGreaterThan(80);
    const list = await callJson('POST', routes.mlflow.experiments.search.link({ id: project.id }), { token: owner.token, json: {} });
    expect(list.body.experiments ?? []).toEqual([]);
  });

  it('builds links with every parameter URL-encoded', () => {
    expect(routes.ui.model.link({ namespace: 'team', project: 'vision', name: 'a b/c' })).toBe('/team/vision/-/ml/models/a%20b%2Fc');
    expect(routes.packagesApi.get.link({ id: 'team/vision', package_id: 7 })).toBe('/api/v4/projects/team%2Fvision/packages/7');
    expect(routes.mlflow.artifacts.file.link({ id: 3 }, 'ml_candidate_1/-/model')).toBe(
      '/api/v4/projects/3/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/ml_candidate_1/-/model',
    );
    expect(routes.ui.projects.link()).toBe('/');
    // a script fills in what a template leaves open; an encoded value never holds the `:` it looks for
    expect(routes.ui.candidate.template({ namespace: 'a:candidate_id', project: 'p' })).toBe('/a%3Acandidate_id/p/-/ml/candidates/:candidate_id');
    expect(routes.ui.openMlflowLink.link({ id: 'team/vision' })).toBe('/-/ml/open/team%2Fvision');
    expect(routes.mlflow.home.link({ id: 3 })).toBe('/api/v4/projects/3/ml/mlflow/');
  });

  it('reads back the URLs it builds, and no other', () => {
    const file = routes.mlflow.artifacts.file;
    expect(file.match(file.link({ id: 'team/vision' }, 'ml_candidate_1/-/a%20b/c'))).toEqual({ params: { id: 'team%2Fvision' }, rest: 'ml_candidate_1/-/a%20b/c' });
    expect(file.match(file.link({ id: 3 }))).toEqual({ params: { id: '3' }, rest: '' });
    expect(file.match('/api/v4/projects/3/ml/mlflow/api/2.0/mlflow-artifacts/other/x')).toBeNull();
    expect(file.match('/api/v4/projects//ml/mlflow/api/2.0/mlflow-artifacts/artifacts/x')).toBeNull();
    expect(routes.ui.model.match('/team/vision/-/ml/models/m')).toEqual({ params: { namespace: 'team', project: 'vision', name: 'm' }, rest: '' });
    expect(routes.ui.model.match('/team/vision/-/ml/models/m/more')).toBeNull();
  });

  it('refuses to start with a declared route left without a handler, or a handler for an undeclared route', () => {
    expect(() => mount(new Hono<AppEnv>(), [])).toThrow(/no handler for/);
    const stray = declare('gitlab', 'GET', '/api/v4/stray');
    expect(() => mount(new Hono<AppEnv>(), [handlers().on(stray, (c) => c.text('x'))])).toThrow(/undeclared route/);
  });

  it("answers a path no route declares in the shape of the protocol it falls under", async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id, { ml: true });
    const mlflow = await callJson('POST', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow/runs/no-such`, { token, json: {} });
    expect(mlflow.status).toBe(404);
    expect(mlflow.body.error_code).toBe('ENDPOINT_NOT_FOUND');
    const gitlab = await callJson('GET', '/api/v4/no-such', { token });
    expect(gitlab.status).toBe(404);
    expect(gitlab.body).toEqual({ message: '404 Not Found' });
    const page = await call('GET', '/-/no-such', { token });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toBeTruthy();
  });
});
