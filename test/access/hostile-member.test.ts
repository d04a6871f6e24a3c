import { describe, expect, it } from 'vitest';
import { call, callJson, seedMember, seedProject, seedUser } from '../helpers';

/** A project with an owner and a maintainer (through the API, as a hostile maintainer would act). */
async function ownedProject() {
  const owner = await seedUser();
  const maintainer = await seedUser();
  const project = await seedProject(owner.user.id);
  await seedMember(project.id, maintainer.user.id, 40);
  const members = `/api/v4/projects/${project.id}/members`;
  const levels = async () => (await callJson('GET', members, { token: owner.token })).body.map((m: any) => [m.id, m.access_level]);
  return { owner, maintainer, project, members, levels };
}

describe('owners and maintainers (GitLab rules)', () => {
  it('a maintainer cannot make anyone owner, demote or remove an owner, nor delete the project', async () => {
    const { owner, maintainer, project, members, levels } = await ownedProject();
    const newcomer = await seedUser();
    const other = await seedUser();
    await seedMember(project.id, other.user.id, 40);
    const tries: [string, string, unknown][] = [
      ['PUT', `${members}/${maintainer.user.id}`, { access_level: 50 }], // promote self
      ['PUT', `${members}/${other.user.id}`, { access_level: 50 }], // promote another maintainer
      ['POST', members, { user_id: newcomer.user.id, access_level: 50 }], // add a new owner
      ['PUT', `${members}/${owner.user.id}`, { access_level: 10 }], // demote the owner
      ['PUT', `${members}/${owner.user.id}`, { access_level: 50 }], // "change" the owner at all
      ['DELETE', `${members}/${owner.user.id}`, undefined], // remove the owner
      ['DELETE', `/api/v4/projects/${project.id}`, undefined],
      ['PUT', `/api/v4/projects/${project.id}`, { name: 'taken over' }],
    ];
    for (const [method, path, json] of tries) {
      const res = await callJson(method, path, { token: maintainer.token, json });
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(res.body.message).toMatch(/403 Forbidden/);
    }
    expect(await levels()).toEqual([
      [owner.user.id, 50],
      [maintainer.user.id, 40],
      [other.user.id, 40],
    ]);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token: owner.token })).body.name).toBe(project.name);
  });

  it('a maintainer still manages the members below owner', async () => {
    const { maintainer, members, project } = await ownedProject();
    const dev = await seedUser();
    expect((await callJson('POST', members, { token: maintainer.token, json: { user_id: dev.user.id, access_level: 30 } })).status).toBe(201);
    expect((await callJson('PUT', `${members}/${dev.user.id}`, { token: maintainer.token, json: { access_level: 40 } })).status).toBe(200);
    expect((await call('DELETE', `${members}/${dev.user.id}`, { token: maintainer.token })).status).toBe(204);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token: dev.token })).status).toBe(404);
  });

  it('an owner manages owners, but a project always keeps one', async () => {
    const { owner, maintainer, members } = await ownedProject();
    const admin = await seedUser({ admin: true });
    // the last owner can neither step down nor leave, not even through an admin
    for (const token of [owner.token, admin.token]) {
      const demote = await callJson('PUT', `${members}/${owner.user.id}`, { token, json: { access_level: 40 } });
      expect(demote.status).toBe(409);
      expect(demote.body.message).toMatch(/at least one owner/);
      expect((await callJson('DELETE', `${members}/${owner.user.id}`, { token })).status).toBe(409);
    }
    expect((await callJson('PUT', `${members}/${maintainer.user.id}`, { token: owner.token, json: { access_level: 50 } })).status).toBe(200);
    // with two owners, one may leave
    expect((await call('DELETE', `${members}/${owner.user.id}`, { token: owner.token })).status).toBe(204);
    const left = (await callJson('GET', members, { token: maintainer.token })).body.map((m: any) => [m.id, m.access_level]);
    expect(left).toEqual([[maintainer.user.id, 50]]);
    expect((await callJson('DELETE', `${members}/${maintainer.user.id}`, { token: maintainer.token })).status).toBe(409);
  });
});

describe('who sees what about users, and where projects are created', () => {
  it('shows email and admin flag only to admins and the user themselves', async () => {
    const alice = await seedUser();
    const bob = await seedUser();
    const admin = await seedUser({ admin: true });
    const byBob = await callJson('GET', `/api/v4/users/${alice.user.id}`, { token: bob.token });
    expect(byBob.status).toBe(200);
    expect(byBob.body).toMatchObject({ id: alice.user.id, username: alice.user.username, state: 'active' });
    expect(byBob.body).not.toHaveProperty('email');
    expect(byBob.body).not.toHaveProperty('is_admin');
    expect(JSON.stringify(byBob.body)).not.toContain('@example.com');
    for (const token of [alice.token, admin.token]) {
      const full = await callJson('GET', `/api/v4/users/${alice.user.id}`, { token });
      expect(full.body).toMatchObject({ email: `${alice.user.username}@example.com`, is_admin: false });
    }
  });

  it("creates a project only in the caller's own namespace (admins anywhere)", async () => {
    const alice = await seedUser();
    const bob = await seedUser();
    const admin = await seedUser({ admin: true });
    for (const namespace of [bob.user.username, bob.user.username.toUpperCase(), 'team', admin.user.username]) {
      const res = await callJson('POST', '/api/v4/projects', { token: alice.token, json: { namespace, path: 'squat' } });
      expect([namespace, res.status]).toEqual([namespace, 403]);
    }
    expect((await callJson('POST', '/api/v4/projects', { token: alice.token, json: { namespace: alice.user.username.toUpperCase(), path: 'mine' } })).status).toBe(201);
    expect((await callJson('POST', '/api/v4/projects', { token: admin.token, json: { namespace: bob.user.username, path: 'for-bob' } })).status).toBe(201);
  });
});
