import { describe, expect, it } from 'vitest';
import { recordedExchanges, type Exchange } from '../../mlflow-replay';
import { call, seedProject, seedUser } from '../../helpers';
import { bytes, seedCandidate } from '../../packages/seed';

// The run whose artifacts the recording logs, lists and downloads.
const RUN = 'ce63297812c94a9fb05f6327651310c9';
const RECORDED_ROOT = `10/${RUN}/artifacts`;

/** The recorded artifact exchanges of that run (multipart and presigned ones, refused by MLflow's local store, aside). */
function runArtifactExchanges(): (Exchange & { response_headers?: Record<string, string> })[] {
  return recordedExchanges().filter((e) => {
    if (!e.path.startsWith('/api/2.0/mlflow-artifacts/artifacts')) return false;
    return e.path.includes(RECORDED_ROOT) || String(e.query.path ?? '').includes(RECORDED_ROOT);
  });
}

describe('the recorded artifact requests, replayed', { timeout: 120_000 }, () => {
  it('answers every upload, listing and download of the recorded run as MLflow did', async () => {
    const { user, token } = await seedUser();
    const project = await seedProject(user.id);
    const root = `ml_candidate_${await seedCandidate(project.id)}/-`;
    const prefix = `/api/v4/projects/${project.id}/ml/mlflow/api/2.0`;
    const exchanges = runArtifactExchanges();
    expect(exchanges.length).toBeGreaterThan(25);
    const problems: string[] = [];
    for (const e of exchanges) {
      const path = e.path.replace(RECORDED_ROOT, root);
      const query = e.query.path ? `?path=${encodeURIComponent(String(e.query.path).replace(RECORDED_ROOT, root))}` : '';
      const where = `#${e.index} ${e.step}: ${e.method} ${path}${query}`;
      let body: Uint8Array | undefined;
      const headers: Record<string, string> = {};
      if (e.method === 'PUT') {
        // Text bodies were recorded whole; binary ones only as a preview, so same-size bytes stand in.
        const length = Number(e.headers['Content-Length']);
        const text = typeof e.body === 'string' ? new TextEncoder().encode(e.body) : undefined;
        body = text && text.length === length ? text : bytes(length, e.index);
        headers['content-type'] = e.headers['Content-Type'];
        headers['content-length'] = String(length);
      }
      const res = await call(e.method, `${prefix}${path.replace(/^\/api\/2\.0/, '')}${query}`, { token, body, headers });
      if (res.status !== e.status) {
        problems.push(`${where}: status ${res.status}, expected ${e.status}: ${(await res.text()).slice(0, 200)}`);
        continue;
      }
      const recordedType = e.response_headers?.['content-type'];
      if (recordedType && res.headers.get('content-type') !== recordedType) problems.push(`${where}: content-type ${res.headers.get('content-type')}, expected ${recordedType}`);
      if (recordedType === 'application/json') {
        const actual = await res.json();
        if (JSON.stringify(actual) !== JSON.stringify(e.response)) problems.push(`${where}: ${JSON.stringify(actual)}, expected ${JSON.stringify(e.response)}`);
      } else if (recordedType === 'text/plain') {
        const actual = await res.text();
        if (actual !== e.response) problems.push(`${where}: ${JSON.stringify(actual)}, expected ${JSON.stringify(e.response)}`);
      } else {
        await res.arrayBuffer();
      }
    }
    expect(problems).toEqual([]);
  });
});
