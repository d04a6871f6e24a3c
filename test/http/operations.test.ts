import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import app from '../../src/index';
import { call, seedUser } from '../helpers';

/** Calls the worker with some of its bindings replaced (a misconfigured deployment). */
async function fetchWith(bindings: Record<string, unknown>, path: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://flaretrack.test${path}`, { headers }), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The JSON lines the worker logged through `spy`. */
const lines = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map(([line]) => {
    try {
      return JSON.parse(String(line));
    } catch {
      return null;
    }
  });

afterEach(() => vi.restoreAllMocks());

describe('operations', () => {
  it('logs every request as one JSON line with its id, which the answer carries in X-Request-Id', async () => {
    const log = vi.spyOn(console, 'log');
    const { user, token } = await seedUser();
    const res = await call('GET', '/api/v4/user', { token });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines(log).find((l) => l?.request_id === id);
    expect(line).toMatchObject({ level: 'info', message: 'request', method: 'GET', path: '/api/v4/user', status: 200, user: user.username });
    expect(typeof line.duration_ms).toBe('number');

    const ray = await call('GET', '/api/v4/user', { token, headers: { 'cf-ray': '8f1e2d3c4b5a6978-AMS' } });
    expect(ray.headers.get('x-request-id')).toBe('8f1e2d3c4b5a6978-AMS');
    const refused = await call('GET', '/api/v4/user');
    expect(refused.status).toBe(401);
    expect(lines(log).find((l) => l?.request_id === refused.headers.get('x-request-id'))).toMatchObject({ status: 401, user: null });
  });

  it('logs an unhandled error with the request id and answers 500 in the protocol, without a stack', async () => {
    const error = vi.spyOn(console, 'error');
    const res = await fetchWith({ DB: undefined }, '/api/v4/projects');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: '500 Internal Server Error' });
    const id = res.headers.get('x-request-id');
    const logged = lines(error).filter((l) => l?.request_id === id);
    expect(logged.find((l) => l.message === 'unhandled error')).toMatchObject({ level: 'error', path: '/api/v4/projects', error: 'TypeError' });
    expect(logged.find((l) => l.message === 'request')).toMatchObject({ level: 'error', status: 500 });
  });

  it("gives pages Hono's secure headers with the UI's Content-Security-Policy", async () => {
    const page = await call('GET', '/-/sign_in');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('answers /-/readiness with D1, R2 and KV checked, and 503 naming the one that fails', async () => {
    const ready = await call('GET', '/-/readiness');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', d1_check: [{ status: 'ok' }], r2_check: [{ status: 'ok' }], kv_check: [{ status: 'ok' }] });
    expect((await call('GET', '/-/liveness')).status).toBe(200);

    const noBucket = await fetchWith({ ARTIFACTS: undefined }, '/-/readiness');
    expect(noBucket.status).toBe(503);
    const body = await noBucket.json<any>();
    expect(body.status).toBe('failed');
    expect(body.r2_check[0].status).toBe('failed');
    expect(body.d1_check[0].status).toBe('ok');
    expect(body.kv_check[0].status).toBe('ok');
  });
});
