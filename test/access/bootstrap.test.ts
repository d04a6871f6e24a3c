import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { bootstrapInstance } from '../../src/access/bootstrap';
import { hasUsers } from '../../src/access/tokens';
import { isOnFor, readFlag } from '../../src/flags/flags';
import { callJson, db } from '../helpers';

// This file's storage starts empty: it is the only one that sees an instance with no users.
describe('bootstrapping an instance', () => {
  it('creates the admin root with the bootstrap token once, and never again', async () => {
    expect(await hasUsers(db())).toBe(false);
    expect(await bootstrapInstance(db(), env.FLAGS, 'ftpat-boot', true)).toBe(true);
    const me = await callJson('GET', '/api/v4/user', { token: 'ftpat-boot' });
    expect(me.body).toMatchObject({ username: 'root', is_admin: true });
    const projects = await callJson('GET', '/api/v4/projects', { token: 'ftpat-boot' });
    expect(projects.body.map((p: any) => p.path_with_namespace)).toEqual(['root/demo']);
    expect(isOnFor(await readFlag(env.FLAGS, 'ml_experiment_tracking'), projects.body[0].id)).toBe(true);

    expect(await bootstrapInstance(db(), env.FLAGS, 'ftpat-again', true)).toBe(false);
    expect((await callJson('GET', '/api/v4/user', { token: 'ftpat-again' })).status).toBe(401);
  });
});
