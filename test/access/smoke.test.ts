import { describe, expect, it } from 'vitest';
import { callJson, seedProject, seedUser } from '../helpers';

describe('smoke', () => {
  it('answers /api/v4/user for a token', async () => {
    const { user, token } = await seedUser();
    const res = await callJson('GET', '/api/v4/user', { token });
    expect(res.status).toBe(200);
    expect(res.body.username).toBe(user.username);
    const p = await seedProject(user.id);
    const byPath = await callJson('GET', `/api/v4/projects/${encodeURIComponent(p.namespace + '/' + p.path)}`, { token });
    expect(byPath.body.id).toBe(p.id);
  });
});
