import { describe, expect, it } from 'vitest';
import { call, callJson, seedUser, unique } from '../helpers';

describe('the admin and self-service API', () => {
  it('lets an admin create a user, a project, a membership and tokens that work', async () => {
    const admin = await seedUser({ admin: true });
    const username = unique('alice');
    const created = await callJson('POST', '/api/v4/users', {
      token: admin.token,
      json: { username, name: 'Alice', email: `${username}@example.com`, password: 'a long password' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username, name: 'Alice', state: 'active', is_admin: false });
    expect(created.body).not.toHaveProperty('password_hash');

    const pat = await callJson('POST', `/api/v4/users/${created.body.id}/personal_access_tokens`, {
      token: admin.token,
      json: { name: 'laptop', scopes: ['api'], expires_at: '2999-01-01' },
    });
    expect(pat.status).toBe(201);
    expect(pat.body.token).toMatch(/^ftpat-[A-Za-z0-9]{32}$/);
    expect(pat.body.expires_at).toBe('2999-01-01');

    const project = await callJson('POST', '/api/v4/projects', { token: admin.token, json: { namespace: unique('team'), path: 'vision' } });
    expect(project.status).toBe(201);
    expect((await callJson('GET', `/api/v4/projects/${project.body.id}`, { token: pat.body.token })).status).toBe(404);

    const member = await callJson('POST', `/api/v4/projects/${project.body.id}/members`, {
      token: admin.token,
      json: { user_id: created.body.id, access_level: 30 },
    });
    expect(member.status).toBe(201);
    expect(member.body).toMatchObject({ id: created.body.id, username, access_level: 30 });

    const seen = await callJson('GET', `/api/v4/projects/${encodeURIComponent(project.body.path_with_namespace)}`, { token: pat.body.token });
    expect(seen.status).toBe(200);
    expect(seen.body.id).toBe(project.body.id);
    const listed = await callJson('GET', '/api/v4/projects', { token: pat.body.token });
    expect(listed.body.map((p: any) => p.id)).toEqual([project.body.id]);
  });

  it('accepts form-encoded parameters as GitLab does', async () => {
    const admin = await seedUser({ admin: true });
    const username = unique('bob');
    const res = await call('POST', '/api/v4/users', {
      token: admin.token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, name: 'Bob', email: `${username}@example.com` }).toString(),
    });
    expect(res.status).toBe(201);
  });

  it('keeps user administration to admins', async () => {
    const { token } = await seedUser();
    const other = await seedUser();
    expect((await callJson('GET', '/api/v4/users', { token })).status).toBe(403);
    expect((await callJson('POST', '/api/v4/users', { token, json: { username: 'x', name: 'x', email: 'x@x.x' } })).status).toBe(403);
    const forOther = await callJson('POST', `/api/v4/users/${other.user.id}/personal_access_tokens`, { token, json: { name: 'n', scopes: ['api'] } });
    expect(forOther.status).toBe(403);
  });

  it('lets a user create and revoke their own tokens, but not revoke others', async () => {
    const me = await seedUser();
    const other = await seedUser();
    const pat = await callJson('POST', `/api/v4/users/${me.user.id}/personal_access_tokens`, { token: me.token, json: { name: 'ci', scopes: 'read_api' } });
    expect(pat.status).toBe(201);
    expect(pat.body.scopes).toEqual(['read_api']);
    const othersTokens = await callJson('GET', '/api/v4/personal_access_tokens', { token: other.token });
    expect((await call('DELETE', `/api/v4/personal_access_tokens/${othersTokens.body[0].id}`, { token: me.token })).status).toBe(404);
    expect((await call('DELETE', `/api/v4/personal_access_tokens/${pat.body.id}`, { token: me.token })).status).toBe(204);
    expect((await callJson('GET', '/api/v4/user', { token: pat.body.token })).status).toBe(401);
  });

  it('answers bad input with a clear 4xx and writes nothing', async () => {
    const admin = await seedUser({ admin: true });
    const token = admin.token;
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/api/v4/users', '{"username": ', 400, /JSON/],
      ['POST', '/api/v4/users', [1, 2], 400, /object/],
      ['POST', '/api/v4/users', { username: 'x' }, 400, /name/],
      ['POST', '/api/v4/users', { username: 42, name: 'n', email: 'e@x.y' }, 400, /username/],
      ['POST', '/api/v4/users', { username: 'bad name!', name: 'n', email: 'e@x.y' }, 400, /username/],
      ['POST', '/api/v4/users', { username: 'okname', name: 'n', email: 'not-an-email' }, 400, /email/],
      ['POST', '/api/v4/users', { username: 'okname', name: 'x'.repeat(300), email: 'e@x.y' }, 400, /name/],
      ['POST', '/api/v4/users', { username: 'okname', name: 'n', email: 'e@x.y', password: 'short' }, 400, /password/],
      ['POST', `/api/v4/users/${admin.user.id}/personal_access_tokens`, { name: 'n', scopes: ['root'] }, 400, /scope/],
      ['POST', `/api/v4/users/${admin.user.id}/personal_access_tokens`, { name: 'n', scopes: ['api'], expires_at: '2001-01-01' }, 400, /expires_at/],
      ['POST', `/api/v4/users/${admin.user.id}/personal_access_tokens`, { name: 'n', scopes: ['api'], expires_at: 'tomorrow' }, 400, /expires_at/],
      ['POST', '/api/v4/users/999999/personal_access_tokens', { name: 'n', scopes: ['api'] }, 404, /User/],
      ['POST', '/api/v4/projects', { path: '../etc' }, 400, /path/],
      ['POST', '/api/v4/projects', { namespace: 'api', path: 'x' }, 400, /reserved/],
      ['GET', '/api/v4/projects/999999', undefined, 404, /Project/],
      ['GET', '/api/v4/projects/no%2Fsuch', undefined, 404, /Project/],
    ];
    const before = (await callJson('GET', '/api/v4/users?per_page=100', { token })).body.length;
    for (const [method, path, body, status, message] of cases) {
      const res = typeof body === 'string'
        ? await callJson(method, path, { token, body, headers: { 'content-type': 'application/json' } })
        : await callJson(method, path, { token, json: body });
      expect.soft(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect.soft(res.body.message, `${method} ${path} ${JSON.stringify(body)}`).toMatch(message);
    }
    expect((await callJson('GET', '/api/v4/users?per_page=100', { token })).body.length).toBe(before);
  });

  it('refuses a second user with the same username or email (409)', async () => {
    const admin = await seedUser({ admin: true });
    const username = unique('carol');
    const body = { username, name: 'C', email: `${username}@example.com` };
    expect((await callJson('POST', '/api/v4/users', { token: admin.token, json: body })).status).toBe(201);
    const again = await callJson('POST', '/api/v4/users', { token: admin.token, json: { ...body, email: 'other@example.com' } });
    expect(again.status).toBe(409);
    const sameEmail = await callJson('POST', '/api/v4/users', { token: admin.token, json: { ...body, username: unique('dave') } });
    expect(sameEmail.status).toBe(409);
  });

  it('manages members: change a level, refuse a duplicate or an invalid level, remove', async () => {
    const owner = await seedUser();
    const dev = await seedUser();
    const project = (await callJson('POST', '/api/v4/projects', { token: owner.token, json: { path: unique('p') } })).body;
    expect(project.namespace).toBe(owner.user.username);
    const base = `/api/v4/projects/${project.id}/members`;
    expect((await callJson('POST', base, { token: owner.token, json: { user_id: dev.user.id, access_level: 30 } })).status).toBe(201);
    expect((await callJson('POST', base, { token: owner.token, json: { user_id: dev.user.id, access_level: 30 } })).status).toBe(409);
    expect((await callJson('POST', base, { token: owner.token, json: { user_id: 999999, access_level: 30 } })).status).toBe(404);
    expect((await callJson('PUT', `${base}/${dev.user.id}`, { token: owner.token, json: { access_level: 35 } })).status).toBe(400);
    const changed = await callJson('PUT', `${base}/${dev.user.id}`, { token: owner.token, json: { access_level: 40 } });
    expect(changed.body.access_level).toBe(40);
    const members = await callJson('GET', base, { token: dev.token });
    expect(members.body.map((m: any) => [m.id, m.access_level])).toEqual([[owner.user.id, 50], [dev.user.id, 40]]);
    expect((await call('DELETE', `${base}/${dev.user.id}`, { token: owner.token })).status).toBe(204);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token: dev.token })).status).toBe(404);
  });

  it('deletes a project for its owner, with everything under it', async () => {
    const owner = await seedUser();
    const project = (await callJson('POST', '/api/v4/projects', { token: owner.token, json: { path: unique('gone') } })).body;
    expect((await callJson('DELETE', `/api/v4/projects/${project.id}`, { token: owner.token })).status).toBe(202);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token: owner.token })).status).toBe(404);
  });
});
