import { describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/http/mount';
import { call } from '../helpers';
import { signIn } from '../ui/helpers';
import { experimentWithRun, mlflowProject } from '../api/mlflow/mlflow-helpers';

const LONG = 'abcdefghij'.repeat(6);

describe('malformed input, on every declared route', () => {
  it('never answers 5xx: each protocol says what is wrong with a 4xx', async () => {
    const { api, token, project, user } = await mlflowProject();
    const { runId } = await experimentWithRun(api);
    const browser = await signIn(token);
    const params = { id: project.id, namespace: project.namespace, project: project.path, iid: 1, candidate_id: 1, name: 'n', version: 1, upload_id: 'u', part_number: 1, package_id: 1, file_id: 1, model_id: 'm-1', tag_key: 't', trace_id: 'tr-1', assessment_id: 'a', user_id: user.id };
    const bodies: [type: string, body: string][] = [
      ['application/json', '[]'],
      ['application/json', '{"a":'],
      ['application/json', 'null'],
      ['application/json', JSON.stringify({ run_id: runId, experiment_id: 'x'.repeat(300), name: 1e308, key: {}, value: [], max_results: -1, filter: `name LIKE '%${LONG}%'`, page_token: '!!!', order_by: 'x', experiment_ids: 'a', parts: 'x', path: '../..', num_parts: 1e9, access_level: {}, scopes: 5, user_id: 'x', expires_at: '9999-99-99' })],
      ['application/json', JSON.stringify({ run_id: runId, metrics: [{ key: 'k', value: 'x', timestamp: 'y', step: 1e300 }], params: [{ key: '', value: null }], tags: 'x' })],
      ['application/x-www-form-urlencoded', 'a=%zz&b[]=1&c=&name=%FF'],
      ['multipart/form-data; boundary=x', '--x\r\nbroken'],
      ['text/plain', '\u0000\u0001'],
    ];
    const queries = [`?max_results=-1&page_token=%%%&filter=((&run_id=x&experiment_id=1e999&view_type=9&order_by=x%20y%20z`, `?filter=${encodeURIComponent(`name LIKE '%${LONG}%'`)}&q=${LONG}&name=${LONG}&experiment_ids=a&page=-5&per_page=1e9&sort=zz&col=%FF`];
    const failures: string[] = [];
    let sent = 0;
    for (const route of declaredRoutes()) {
      const headers = (type: string): Record<string, string> =>
        route.protocol === 'html' ? { cookie: browser.cookie, 'x-csrf-token': browser.csrf, 'content-type': type } : { authorization: `Bearer ${token}`, 'content-type': type };
      for (const m of route.methods) {
        const method = m === 'ALL' ? 'POST' : m;
        const path = (route.link as (p: object, rest: string) => string)(params, 'ml_candidate_1/-/x');
        const requests = method === 'GET' ? queries.map((q) => call('GET', path + q, { headers: headers('text/plain') })) : route.body === 'stream' ? [] : bodies.map(([type, body]) => call(method, path, { headers: headers(type), body }));
        for (const res of requests) {
          const answer = await res;
          sent++;
          if (answer.status >= 500) failures.push(`${method} ${route.path}: ${answer.status} ${(await answer.text()).slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(900);
  }, 120_000);
});
