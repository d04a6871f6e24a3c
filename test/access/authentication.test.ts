import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { personalAccessTokens } from '../../src/db/schema';
import { setUserBlocked } from '../../src/access/users';
import { call, callJson, db, seedProject, seedUser } from '../helpers';

const basic = (username: string, secret: string) => `Basic ${btoa(`${username}:${secret}`)}`;

describe('authentication', () => {
  it('accepts a token as Bearer, as PRIVATE-TOKEN, and as the password of HTTP Basic', async () => {
    const { user, token } = await seedUser();
    const forms: Record<string, string>[] = [{ authorization: `Bearer ${token}` }, { 'private-token': token }, { authorization: basic(user.username, token) }];
    for (const headers of forms) {
      const res = await call('GET', '/api/v4/user', { headers });
      expect(res.status).toBe(200);
      expect((await res.json<any>()).username).toBe(user.username);
    }
  });

  it('refuses Basic auth whose username is not the token owner', async () => {
    const { token } = await seedUser();
    const other = await seedUser();
    const res = await callJson('GET', '/api/v4/user', { headers: { authorization: basic(other.user.username, token) } });
    expect(res.status).toBe(401);
  });

  it('answers 401 with a message, not a stack trace, for unknown, malformed and missing credentials', async () => {
    const forms: Record<string, string>[] = [{ authorization: 'Bearer ftpat-nope' }, { authorization: 'Basic %%%' }, { authorization: 'Digest x' }, {}];
    for (const headers of forms) {
      const res = await callJson('GET', '/api/v4/user', { headers });
      expect(res.status).toBe(401);
      expect(typeof res.body.message).toBe('string');
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts/);
    }
  });

  it('stops accepting a token once it is revoked', async () => {
    const { token } = await seedUser();
    const list = await callJson('GET', '/api/v4/personal_access_tokens', { token });
    expect(list.body).toHaveLength(1);
    expect(list.body[0].active).toBe(true);
    const revoke = await call('DELETE', `/api/v4/personal_access_tokens/${list.body[0].id}`, { token });
    expect(revoke.status).toBe(204);
    expect((await callJson('GET', '/api/v4/user', { token })).status).toBe(401);
  });

  it('stops accepting a token once it has expired', async () => {
    const { token } = await seedUser();
    const mine = (await callJson('GET', '/api/v4/personal_access_tokens', { token })).body[0];
    await db().update(personalAccessTokens).set({ expiresAt: Date.now() - 1000 }).where(eq(personalAccessTokens.id, mine.id));
    expect((await callJson('GET', '/api/v4/user', { token })).status).toBe(401);
  });

  it("stops accepting a blocked user's tokens", async () => {
    const { user, token } = await seedUser();
    await setUserBlocked(db(), user.id, true);
    expect((await callJson('GET', '/api/v4/user', { token })).status).toBe(401);
  });

  it('records when a token was last used', async () => {
    const { token } = await seedUser();
    await call('GET', '/api/v4/user', { token });
    const [mine] = (await callJson('GET', '/api/v4/personal_access_tokens', { token })).body;
    expect(Date.parse(mine.last_used_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('lets a read_api token read but not write', async () => {
    const { user, token } = await seedUser({ scopes: ['read_api'] });
    const project = await seedProject(user.id);
    expect((await callJson('GET', `/api/v4/projects/${project.id}`, { token })).status).toBe(200);
    const write = await callJson('PUT', `/api/v4/projects/${project.id}`, { token, json: { name: 'renamed' } });
    expect(write.status).toBe(403);
    expect(write.body.message).toMatch(/read_api/);
    const create = await callJson('POST', '/api/v4/projects', { token, json: { path: 'x' } });
    expect(create.status).toBe(403);
    const mlWrite = await callJson('POST', `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow/experiments/create`, { token, json: { name: 'e' } });
    expect(mlWrite.status).toBe(403);
    expect(mlWrite.body.error_code).toBe('PERMISSION_DENIED');
  });
});
