import { describe, expect, it } from 'vitest';
import { call } from '../../helpers';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

const enc = new TextEncoder();
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

describe('MLflow JSON bodies: exactly what the client sent, or a 400', () => {
  it('refuses invalid UTF-8 and lone surrogates (in values and keys) with 400, storing nothing', async () => {
    const { api, prefix, token } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const bodies: [string, Uint8Array][] = [
      ['a stray continuation byte', concat(enc.encode(`{"run_id":"${runId}","key":"k1","value":"a`), new Uint8Array([0x80]), enc.encode('"}'))],
      ['an overlong encoding', concat(enc.encode(`{"run_id":"${runId}","key":"k2","value":"`), new Uint8Array([0xc0, 0xaf]), enc.encode('"}'))],
      ['a cut-off sequence', concat(enc.encode(`{"run_id":"${runId}","key":"k3","value":"`), new Uint8Array([0xe2, 0x82]), enc.encode('"}'))],
      ['a UTF-8 encoded surrogate', concat(enc.encode(`{"run_id":"${runId}","key":"k4","value":"`), new Uint8Array([0xed, 0xa0, 0x80]), enc.encode('"}'))],
      ['a lone high surrogate escape', enc.encode(`{"run_id":"${runId}","key":"k5","value":"x\\ud800y"}`)],
      ['a lone low surrogate escape', enc.encode(`{"run_id":"${runId}","key":"k6","value":"\\udc00"}`)],
      ['a lone surrogate in a key', enc.encode(`{"run_id":"${runId}","key":"k7\\ud83d","value":"v"}`)],
    ];
    for (const [what, body] of bodies) {
      const res = await call('POST', `${prefix}/runs/set-tag`, { token, body, headers: { 'content-type': 'application/json' } });
      const json = await res.json<any>();
      expect([what, res.status, json.error_code]).toEqual([what, 400, 'INVALID_PARAMETER_VALUE']);
    }
    // a proper pair of escapes and plain non-ASCII text are fine and kept exactly
    const ok = await call('POST', `${prefix}/runs/set-tag`, { token, body: enc.encode(`{"run_id":"${runId}","key":"emoji","value":"\\ud83d\\ude00 é"}`), headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
    const tags = (await api('GET', '/runs/get', { run_id: runId })).body.run.data.tags as { key: string; value: string }[];
    expect(tags.find((t) => t.key === 'emoji')?.value).toBe('😀 é');
    expect(tags.map((t) => t.key).filter((k) => /^k\d/.test(k))).toEqual([]);
    expect(JSON.stringify(tags)).not.toContain('\ufffd');
  });

  it('bounds a body that comes without Content-Length while it streams', async () => {
    const { api, prefix, token } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    let pulled = 0;
    const chunk = enc.encode('x'.repeat(64 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(enc.encode(`{"run_id":"${runId}","tags":[{"key":"t","value":"`));
      },
      pull(controller) {
        pulled += chunk.length;
        if (pulled > 64 * 1024 * 1024) return controller.close(); // never reached when bounded
        controller.enqueue(chunk);
      },
    });
    const res = await call('POST', `${prefix}/runs/log-batch`, { token, body: endless, headers: { 'content-type': 'application/json' } });
    const json = await res.json<any>();
    expect(res.status).toBe(400);
    expect(json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(pulled).toBeLessThan(4 * 1024 * 1024);
    // other MLflow routes: 413 RESOURCE_LIMIT_EXCEEDED past 1 MiB, also without Content-Length
    pulled = 0;
    const endless2 = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        if (pulled > 64 * 1024 * 1024) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const res2 = await call('POST', `${prefix}/runs/set-tag`, { token, body: endless2, headers: { 'content-type': 'application/json' } });
    expect(res2.status).toBe(413);
    expect((await res2.json<any>()).error_code).toBe('RESOURCE_LIMIT_EXCEEDED');
    expect(pulled).toBeLessThan(4 * 1024 * 1024);
  });
});
