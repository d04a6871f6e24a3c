import { describe, expect, it } from 'vitest';
import { callJson } from '../../helpers';
import { getPage, signIn } from '../../ui/helpers';
import { experimentWithRun, mlflowProject } from './mlflow-helpers';

// D1 refuses LIKE / GLOB patterns over 50 bytes ("LIKE or GLOB pattern too complex").
const LONG = 'abcdefghij'.repeat(6); // 60 bytes: every name and value below holds it
const atMost50 = `%${LONG.slice(0, 48)}%`; // 50 bytes: the longest pattern D1 takes
const over50 = `%${LONG.slice(0, 49)}%`; // 51 bytes

describe('LIKE and ILIKE patterns longer than the database takes', () => {
  it('answer 400 INVALID_PARAMETER_VALUE naming the limit on every search, and the longest allowed pattern still finds the row', async () => {
    const { api, prefix, token, project } = await mlflowProject();
    const { experimentId, runId } = await experimentWithRun(api, { run_name: LONG });
    await api('POST', '/experiments/create', { name: `exp-${LONG}` });
    await api('POST', '/runs/set-tag', { run_id: runId, key: 't', value: LONG });
    await api('POST', '/runs/log-parameter', { run_id: runId, key: 'p', value: LONG });
    await api('POST', '/registered-models/create', { name: `m-${LONG}`, tags: [{ key: 't', value: LONG }] });
    await api('POST', '/model-versions/create', { name: `m-${LONG}`, source: `runs:/${runId}/model`, run_id: runId });
    await api('POST', '/logged-models', { experiment_id: experimentId, name: `lm-${LONG}` });
    const v3 = prefix.replace('/api/2.0/mlflow', '/api/3.0/mlflow');
    const trace = await callJson('POST', `${v3}/traces`, {
      token,
      json: { trace: { trace_info: { trace_id: `tr-${crypto.randomUUID().replace(/-/g, '')}`, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }, request_time: '2026-12-03T08:03:08.196Z', state: 'OK', tags: { t: LONG } } } },
    });
    expect(trace.status).toBe(200);

    const searches: [string, string, (pattern: string, op: string) => Record<string, unknown>][] = [
      [prefix, '/runs/search', (p, op) => ({ experiment_ids: [experimentId], filter: `attributes.run_name ${op} '${p}'` })],
      [prefix, '/runs/search', (p, op) => ({ experiment_ids: [experimentId], filter: `tags.t ${op} '${p}'` })],
      [prefix, '/runs/search', (p, op) => ({ experiment_ids: [experimentId], filter: `params.p ${op} '${p}'` })],
      [prefix, '/experiments/search', (p, op) => ({ filter: `name ${op} '${p}'` })],
      [prefix, '/registered-models/search', (p, op) => ({ filter: `name ${op} '${p}'` })],
      [prefix, '/registered-models/search', (p, op) => ({ filter: `tags.t ${op} '${p}'` })],
      [prefix, '/model-versions/search', (p, op) => ({ filter: `name ${op} '${p}'` })],
      [prefix, '/logged-models/search', (p, op) => ({ experiment_ids: [experimentId], filter: `name ${op} '${p}'` })],
      [v3, '/traces/search', (p, op) => ({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }], filter: `tags.t ${op} '${p}'` })],
    ];
    const answers: string[] = [];
    for (const [base, path, body] of searches) {
      for (const op of ['LIKE', 'ILIKE']) {
        const ok = await callJson('POST', `${base}${path}`, { token, json: body(atMost50, op) });
        const found = Object.values(ok.body).find(Array.isArray)?.length ?? 0;
        const refused = await callJson('POST', `${base}${path}`, { token, json: body(over50, op) });
        answers.push(`${path} ${op}: ${ok.status} ${found > 0 ? 'found' : 'none'}, ${refused.status} ${refused.body.error_code} ${/at most 50 bytes/.test(refused.body.message) ? 'names the limit' : refused.body.message}`);
      }
    }
    expect(answers).toEqual(answers.map((a) => `${a.split(':')[0]}: 200 found, 400 INVALID_PARAMETER_VALUE names the limit`));

    // the UI's name boxes run the same searches: the message, not a 500
    const browser = await signIn(token);
    const base = `/${project.namespace}/${project.path}/-/ml`;
    for (const path of [`${base}/experiments?q=${LONG}`, `${base}/models?name=${LONG}`, `${base}/experiments/1?name=${LONG}`]) {
      const res = await getPage(browser, path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(await res.text()).toMatch(/at most 50 bytes/);
    }
  });
});
