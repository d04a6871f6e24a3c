import { describe, expect, it } from 'vitest';
import { can, type Ability } from '../../src/access/policy';
import { callJson, seedMember, seedProject, seedUser } from '../helpers';

const ABILITIES: Ability[] = ['read_project', 'read_ml', 'write_ml', 'admin_members', 'admin_project'];
// What each access level may do, as GitLab's permissions table has it.
const EXPECTED: Record<string, Ability[]> = {
  none: [],
  guest: ['read_project'],
  reporter: ['read_project', 'read_ml'],
  developer: ['read_project', 'read_ml', 'write_ml'],
  maintainer: ['read_project', 'read_ml', 'write_ml', 'admin_members'],
  owner: ['read_project', 'read_ml', 'write_ml', 'admin_members', 'admin_project'],
};
const LEVELS: Record<string, number> = { none: 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 };

describe('the ability × access level matrix', () => {
  const project = { id: 1, namespace: 'n', path: 'p', name: 'p', description: '', createdAt: 0 };
  const user = (isAdmin = false) => ({ id: 1, username: 'u', name: 'u', email: 'u@x', passwordHash: null, isAdmin, isBlocked: false, createdAt: 0 });

  for (const [name, level] of Object.entries(LEVELS)) {
    it(`${name} (${level}) with an api token may do exactly ${EXPECTED[name].join(', ') || 'nothing'}`, () => {
      const actor = { user: user(), scopes: ['api' as const], via: 'token' as const, tokenId: null, expiresAt: null };
      expect(ABILITIES.filter((a) => can({ project, level, actor }, a))).toEqual(EXPECTED[name]);
    });
    it(`${name} (${level}) with a read_api token may only read`, () => {
      const actor = { user: user(), scopes: ['read_api' as const], via: 'token' as const, tokenId: null, expiresAt: null };
      expect(ABILITIES.filter((a) => can({ project, level, actor }, a))).toEqual(
        EXPECTED[name].filter((a) => a === 'read_project' || a === 'read_ml'),
      );
    });
  }

  it('an instance admin may do everything, even without membership', () => {
    const actor = { user: user(true), scopes: ['api' as const], via: 'token' as const, tokenId: null, expiresAt: null };
    expect(ABILITIES.filter((a) => can({ project, level: 0, actor }, a))).toEqual(ABILITIES);
  });

  it('an anonymous caller may do nothing', () => {
    expect(ABILITIES.filter((a) => can({ project, level: 50, actor: null }, a))).toEqual([]);
  });
});

describe('the matrix over HTTP, against real D1 and KV', () => {
  for (const [name, level] of Object.entries(LEVELS)) {
    it(`${name}: the project, its ML API, its members and its settings answer as the abilities say`, async () => {
      const owner = await seedUser();
      const project = await seedProject(owner.user.id);
      const member = await seedUser();
      if (level > 0) await seedMember(project.id, member.user.id, level);
      const abilities = EXPECTED[name];
      const visible = abilities.includes('read_project');

      const read = await callJson('GET', `/api/v4/projects/${project.id}`, { token: member.token });
      expect(read.status).toBe(visible ? 200 : 404);

      const ml = await callJson('GET', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow/nothing`, { token: member.token });
      expect(ml.body.error_code).toBe(abilities.includes('read_ml') ? 'ENDPOINT_NOT_FOUND' : visible ? 'PERMISSION_DENIED' : 'RESOURCE_DOES_NOT_EXIST');

      const other = await seedUser();
      const add = await callJson('POST', `/api/v4/projects/${project.id}/members`, {
        token: member.token,
        json: { user_id: other.user.id, access_level: 20 },
      });
      expect(add.status).toBe(abilities.includes('admin_members') ? 201 : visible ? 403 : 404);

      const edit = await callJson('PUT', `/api/v4/projects/${project.id}`, { token: member.token, json: { description: `by ${name}` } });
      expect(edit.status).toBe(abilities.includes('admin_project') ? 200 : visible ? 403 : 404);
      if (edit.status === 200) expect(edit.body.description).toBe(`by ${name}`);
    });
  }

  it('an admin reaches every project without membership', async () => {
    const owner = await seedUser();
    const admin = await seedUser({ admin: true });
    const project = await seedProject(owner.user.id);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token: admin.token })).status).toBe(200);
    const ml = await callJson('GET', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow/nothing`, { token: admin.token });
    expect(ml.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
