import { describe, expect, it } from 'vitest';
import { call, seedProject, seedUser, unique } from '../helpers';
import { call as browserCall, postForm, postSignIn } from '../ui/helpers';

/** The cookies a response sets, by name. */
function setCookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

describe('D1 sessions: the bookmark travels with the caller', () => {
  it('lets a browser read its own write: the bookmark cookie moves past the write and the next page, started from it, shows it', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const base = `/${project.namespace}/${project.path}/-/ml`;
    const signIn = await postSignIn({ method: 'token', token, return_to: '/' });
    expect(signIn.status).toBe(303);
    const jar = setCookies(signIn);
    expect(jar.ft_session).toBeTruthy();
    // signing in wrote the session row: the browser leaves with a bookmark at or after that write
    expect(jar.ft_d1_bookmark).toBeTruthy();
    const home = await browserCall('GET', '/', { headers: { cookie: cookieHeader(jar) } });
    expect(home.status).toBe(200);
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await home.text())![1];
    Object.assign(jar, setCookies(home));

    const before = jar.ft_d1_bookmark;
    const name = unique('exp');
    const created = await postForm(`${base}/experiments/new`, { _csrf: csrf, name }, { cookie: cookieHeader(jar) });
    expect(created.status).toBe(303);
    const after = setCookies(created).ft_d1_bookmark;
    expect(after > before).toBe(true); // the write moved the session forward
    jar.ft_d1_bookmark = after;

    const list = await browserCall('GET', `${base}/experiments`, { headers: { cookie: cookieHeader(jar) } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(name);
  });

  it('hands API clients the bookmark in X-D1-Bookmark, not a cookie, and starts from the one they send back', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const mlflow = `/api/v4/projects/${project.id}/ml/mlflow/api/2.0/mlflow`;
    const name = unique('exp');
    const created = await call('POST', `${mlflow}/experiments/create`, { token, json: { name } });
    expect(created.status).toBe(200);
    const bookmark = created.headers.get('x-d1-bookmark');
    expect(bookmark).toBeTruthy();
    expect(created.headers.getSetCookie().some((c) => c.startsWith('ft_d1_bookmark='))).toBe(false);

    const read = await call('GET', `${mlflow}/experiments/get-by-name?experiment_name=${name}`, { token, headers: { 'x-d1-bookmark': bookmark! } });
    expect(read.status).toBe(200);
    expect((await read.json<any>()).experiment.name).toBe(name);
    const later = read.headers.get('x-d1-bookmark');
    if (later !== null) expect(later >= bookmark!).toBe(true); // a session never goes back in time
  });

  it('ignores a malformed bookmark (header or cookie) rather than failing the request', async () => {
    const { token } = await seedUser();
    const variants: Record<string, string>[] = [{ 'x-d1-bookmark': 'not a bookmark' }, { 'x-d1-bookmark': "0000-'; DROP TABLE users" }, { cookie: 'ft_d1_bookmark=zz-zz' }];
    for (const headers of variants) {
      const res = await call('GET', '/api/v4/user', { token, headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-d1-bookmark')).toMatch(/^[0-9a-f]+(-[0-9a-f]+)+$/);
    }
  });
});
