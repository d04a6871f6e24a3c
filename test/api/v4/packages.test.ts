import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { setFlag } from '../../../src/flags/flags';
import { packagePrefix, projectPrefix } from '../../../src/packages/storage';
import { call, callJson, seedMember, seedProject, seedUser } from '../../helpers';
import { bytes, r2Keys, seedCandidate, sha256 } from '../../packages/seed';

const api = (projectId: number) => `/api/v4/projects/${projectId}/packages`;
const mlflow = (projectId: number) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts`;

function put(token: string, url: string, data: Uint8Array | string, headers: Record<string, string> = {}) {
  const body = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return callJson('PUT', url, { token, body, headers: { 'content-length': String(body.length), ...headers } });
}

async function setup() {
  const { user, token } = await seedUser();
  const project = await seedProject(user.id);
  return { user, token, project };
}

describe('generic packages', { timeout: 30_000 }, () => {
  it('uploads nested files, lists packages and files in GitLab shapes, and downloads them', async () => {
    const { token, project } = await setup();
    const data = bytes(70_000, 3);
    expect(await put(token, `${api(project.id)}/generic/my-tool/1.2.3/bin/linux/tool`, data)).toEqual({ status: 201, body: { message: '201 Created' } });
    const selected = await put(token, `${api(project.id)}/generic/my-tool/1.2.3/README.md?select=package_file`, '# tool', { 'content-type': 'text/markdown' });
    expect(selected.status).toBe(201);
    expect(selected.body).toMatchObject({ file_name: 'README.md', size: 6, file_sha256: await sha256('# tool') });

    const packages = await callJson('GET', api(project.id), { token });
    expect(packages.status).toBe(200);
    expect(packages.body).toHaveLength(1);
    const pkg = packages.body[0];
    expect(pkg).toMatchObject({
      name: 'my-tool',
      version: '1.2.3',
      package_type: 'generic',
      status: 'default',
      _links: { web_path: `/${project.namespace}/${project.path}/-/packages/${pkg.id}` },
    });
    expect(typeof pkg.created_at).toBe('string');
    expect((await callJson('GET', `${api(project.id)}/${pkg.id}`, { token })).body).toEqual(pkg);

    const files = await callJson('GET', `${api(project.id)}/${pkg.id}/package_files`, { token });
    expect(files.body.map((f: { file_name: string }) => f.file_name)).toEqual(['README.md', 'bin/linux/tool']);
    expect(files.body[1]).toMatchObject({ package_id: pkg.id, size: data.length, file_sha256: await sha256(data) });

    const res = await call('GET', `${api(project.id)}/generic/my-tool/1.2.3/bin/linux/tool`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(data.length));
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(await sha256(new Uint8Array(await res.arrayBuffer()))).toBe(await sha256(data));
    const readme = await call('GET', `${api(project.id)}/generic/my-tool/1.2.3/README.md`, { token });
    expect(readme.headers.get('content-type')).toBe('text/markdown');
    expect((await callJson('GET', `${api(project.id)}/generic/my-tool/1.2.3/missing`, { token })).status).toBe(404);
    expect((await callJson('GET', `${api(project.id)}/generic/my-tool/9.9.9/README.md`, { token })).body).toEqual({ message: '404 Package Not Found' });
  });

  it('filters by name and type, orders and pages', async () => {
    const { token, project } = await setup();
    for (const name of ['alpha', 'beta', 'alphabet']) await put(token, `${api(project.id)}/generic/${name}/1.0.0/f.txt`, name);
    const named = await callJson('GET', `${api(project.id)}?package_name=ALPHA&order_by=name&sort=desc`, { token });
    expect(named.body.map((p: { name: string }) => p.name)).toEqual(['alphabet', 'alpha']);
    expect((await callJson('GET', `${api(project.id)}?package_type=maven`, { token })).body).toEqual([]);
    const page = await call('GET', `${api(project.id)}?per_page=2&order_by=name`, { token });
    expect(((await page.json()) as { name: string }[]).map((p) => p.name)).toEqual(['alpha', 'alphabet']);
    expect(page.headers.get('x-next-page')).toBe('2');
    expect((await callJson('GET', `${api(project.id)}?per_page=2&page=2&order_by=name`, { token })).body.map((p: { name: string }) => p.name)).toEqual(['beta']);
    expect((await callJson('GET', `${api(project.id)}?order_by=size`, { token })).status).toBe(400);
  });

  it('deletes a file and a package, with their R2 objects', async () => {
    const { token, project } = await setup();
    await put(token, `${api(project.id)}/generic/gone/1.0.0/a.txt`, 'a');
    await put(token, `${api(project.id)}/generic/gone/1.0.0/d/b.txt`, 'b');
    const [pkg] = (await callJson('GET', api(project.id), { token })).body;
    const files = (await callJson('GET', `${api(project.id)}/${pkg.id}/package_files`, { token })).body;
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(project.id, pkg.id))).toHaveLength(2);

    expect((await call('DELETE', `${api(project.id)}/${pkg.id}/package_files/${files[0].id}`, { token })).status).toBe(204);
    expect((await callJson('DELETE', `${api(project.id)}/${pkg.id}/package_files/${files[0].id}`, { token })).status).toBe(404);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(project.id, pkg.id))).toHaveLength(1);
    expect((await call('DELETE', `${api(project.id)}/${pkg.id}`, { token })).status).toBe(204);
    expect(await r2Keys(env.ARTIFACTS, packagePrefix(project.id, pkg.id))).toEqual([]);
    expect((await callJson('GET', `${api(project.id)}/${pkg.id}`, { token })).status).toBe(404);
    expect((await callJson('GET', api(project.id), { token })).body).toEqual([]);
  });

  it('refuses bad names, versions and paths with a 400, writing nothing', async () => {
    const { token, project } = await setup();
    for (const tail of [
      'ok/1.0.0/%2E%2E%2Fescape',
      'ok/1.0.0/a%2F..%2F..%2Fescape',
      'ok/1.0.0/a%5Cb',
      'ok/1.0.0/a%00b',
      'ok/1.0.0/a%0Db',
      'ok/1.0.0//abs',
      `ok/1.0.0/${'x'.repeat(256)}`,
      'ok/1.0.0/',
      'ok/1.0.0/%zz',
      'bad%2Fname/1.0.0/f',
      '.hidden/1.0.0/f',
      'ok/bad%20version/f',
      'ml_other/-/f',
    ]) {
      const res = await put(token, `${api(project.id)}/generic/${tail}`, 'x');
      expect(res.status, tail).toBe(400);
      expect(typeof res.body.message).toBe('string');
    }
    expect(await r2Keys(env.ARTIFACTS, projectPrefix(project.id))).toEqual([]);
  });
});

describe('generic packages and MLflow artifacts are the same files', { timeout: 30_000 }, () => {
  it('answers a file where a directory is (or the reverse) with 409 in GitLab, and INVALID_STATE with 400 in MLflow', async () => {
    const { token, project } = await setup();
    expect((await put(token, `${api(project.id)}/generic/clash/1.0.0/model`, 'x')).status).toBe(201);
    expect(await put(token, `${api(project.id)}/generic/clash/1.0.0/model/weights.bin`, 'y')).toEqual({
      status: 409,
      body: { message: "'model' is a file, so 'model/weights.bin' cannot be inside it" },
    });
    const root = `ml_candidate_${await seedCandidate(project.id)}/-`;
    expect((await put(token, `${mlflow(project.id)}/artifacts/${root}/dir/a.txt`, 'a')).status).toBe(200);
    expect(await put(token, `${mlflow(project.id)}/artifacts/${root}/dir`, 'b')).toEqual({
      status: 400,
      body: { error_code: 'INVALID_STATE', message: "'dir' is a directory" },
    });
  });

  it('shows what the MLflow client logs in the package API, and the reverse', async () => {
    const { token, project } = await setup();
    const candidateId = await seedCandidate(project.id);
    const root = `ml_candidate_${candidateId}/-`;
    await put(token, `${mlflow(project.id)}/artifacts/${root}/model/MLmodel`, 'artifact_path: model\n', { 'content-type': 'text/plain' });
    await put(token, `${api(project.id)}/generic/ml_candidate_${candidateId}/-/outputs/sub/from-api.csv`, 'a,b\n', { 'content-type': 'text/csv' });

    const [pkg] = (await callJson('GET', `${api(project.id)}?package_name=ml_candidate_${candidateId}`, { token })).body;
    expect(pkg).toMatchObject({ name: `ml_candidate_${candidateId}`, version: '-' });
    const files = (await callJson('GET', `${api(project.id)}/${pkg.id}/package_files`, { token })).body;
    expect(files.map((f: { file_name: string; file_sha256: string }) => [f.file_name, f.file_sha256])).toEqual([
      ['model/MLmodel', await sha256('artifact_path: model\n')],
      ['outputs/sub/from-api.csv', await sha256('a,b\n')],
    ]);
    expect((await callJson('GET', `${mlflow(project.id)}/artifacts?path=${root}/outputs/sub`, { token })).body).toEqual({
      files: [{ path: 'from-api.csv', is_dir: false, file_size: 4 }],
    });
    expect(await (await call('GET', `${mlflow(project.id)}/artifacts/${root}/outputs/sub/from-api.csv`, { token })).text()).toBe('a,b\n');
    expect(await (await call('GET', `${api(project.id)}/generic/ml_candidate_${candidateId}/-/model/MLmodel`, { token })).text()).toBe('artifact_path: model\n');
  });

  it('refuses ml_ packages of candidates outside the project, and other versions', async () => {
    const { user, token, project } = await setup();
    const other = await seedProject(user.id);
    const foreign = await seedCandidate(other.id);
    const mine = await seedCandidate(project.id);
    expect((await put(token, `${api(project.id)}/generic/ml_candidate_${foreign}/-/x`, 'x')).status).toBe(404);
    expect((await put(token, `${api(project.id)}/generic/ml_candidate_${mine}/1.0.0/x`, 'x')).status).toBe(400);
    expect(await r2Keys(env.ARTIFACTS, projectPrefix(project.id))).toEqual([]);
  });
});

describe('generic packages: access and the feature flag', { timeout: 30_000 }, () => {
  it('lets reporters read but not write, and hides the project from non-members', async () => {
    const { token, project } = await setup();
    await put(token, `${api(project.id)}/generic/shared/1.0.0/f.txt`, 'f');
    const [pkg] = (await callJson('GET', api(project.id), { token })).body;
    const reporter = await seedUser();
    await seedMember(project.id, reporter.user.id, 20);
    expect((await callJson('GET', api(project.id), { token: reporter.token })).body).toHaveLength(1);
    expect(await (await call('GET', `${api(project.id)}/generic/shared/1.0.0/f.txt`, { token: reporter.token })).text()).toBe('f');
    expect((await put(reporter.token, `${api(project.id)}/generic/shared/1.0.0/g.txt`, 'g')).status).toBe(403);
    expect((await callJson('DELETE', `${api(project.id)}/${pkg.id}`, { token: reporter.token })).status).toBe(403);
    const readOnly = await seedUser({ scopes: ['read_api'] });
    await seedMember(project.id, readOnly.user.id, 40);
    expect((await put(readOnly.token, `${api(project.id)}/generic/shared/1.0.0/g.txt`, 'g')).status).toBe(403);

    const stranger = await seedUser();
    for (const url of [api(project.id), `${api(project.id)}/${pkg.id}/package_files`, `${api(project.id)}/generic/shared/1.0.0/f.txt`]) {
      expect((await callJson('GET', url, { token: stranger.token })).status, url).toBe(404);
    }
    expect((await put(stranger.token, `${api(project.id)}/generic/shared/1.0.0/g.txt`, 'g')).status).toBe(404);
    expect((await callJson('GET', api(project.id))).status).toBe(401);
  });

  it('hides ml_ packages when the flag is off, and only them', async () => {
    const { token, project } = await setup();
    const candidateId = await seedCandidate(project.id);
    const ml = `ml_candidate_${candidateId}`;
    await put(token, `${api(project.id)}/generic/${ml}/-/a.txt`, 'a');
    await put(token, `${api(project.id)}/generic/plain/1.0.0/b.txt`, 'b');
    const all = (await callJson('GET', api(project.id), { token })).body;
    const mlPkg = all.find((p: { name: string }) => p.name === ml);

    await setFlag(env.FLAGS, 'ml_experiment_tracking', false, project.id);
    expect((await callJson('GET', api(project.id), { token })).body.map((p: { name: string }) => p.name)).toEqual(['plain']);
    for (const url of [`${api(project.id)}/${mlPkg.id}`, `${api(project.id)}/${mlPkg.id}/package_files`, `${api(project.id)}/generic/${ml}/-/a.txt`]) {
      expect((await callJson('GET', url, { token })).status, url).toBe(404);
    }
    expect((await put(token, `${api(project.id)}/generic/${ml}/-/c.txt`, 'c')).status).toBe(404);
    expect((await callJson('DELETE', `${api(project.id)}/${mlPkg.id}`, { token })).status).toBe(404);
    expect(await (await call('GET', `${api(project.id)}/generic/plain/1.0.0/b.txt`, { token })).text()).toBe('b');
  });
});
