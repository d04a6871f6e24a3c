import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';
import { openDatabase } from '../../src/db/client';
import { deleteProject } from '../../src/usecases/delete-project';
import { logBatch } from '../../src/tracking/batch';
import { createRun, deleteRun, listLatestMetrics, listParams } from '../../src/tracking/candidates';
import { deleteCandidateForGood } from '../../src/tracking/candidate-removal';
import { historyOf } from '../../src/tracking/metric-history';
import { candidateMetricHistory, metricHistoryBulkInterval, metricHistoryJson } from '../../src/tracking/metrics';
import { copyLegacyHistory } from '../../src/tracking/history-upgrade';
import { InvalidInputError } from '../../src/errors';
import { all } from '../../src/tracking/d1';
import { db } from '../helpers';
import { seedRun } from './seed';

const point = (key: string, step: number, timestamp: number, value: number) => ({ key, step, timestamp, value });
const points = (key: string, from: number, n: number) => Array.from({ length: n }, (_, i) => point(key, from + i, 1000 + from + i, (from + i) / 7));
const stored = async (runId: string) => (await historyOf(runId).size()).points;

describe('history objects: writes', () => {
  it('stores a retried batch once, keeping NaN and a value of 0 at the same step apart', async () => {
    const { project, runId, candidateId } = await seedRun();
    const batch = { metrics: [point('m', 0, 1, 0), point('m', 0, 1, NaN), point('m', 1, 1, Infinity), point('m', 1, 1, -Infinity)] };
    await logBatch(db(), project.id, runId, batch);
    await logBatch(db(), project.id, runId, batch);
    expect(await stored(runId)).toBe(4);
    expect((await candidateMetricHistory(db(), candidateId, 'm')).map((p) => p.value)).toEqual([0, NaN, -Infinity, Infinity]);
  });

  it('keeps every point of concurrent writers to one candidate and to many', async () => {
    const one = await seedRun();
    await Promise.all(Array.from({ length: 8 }, (_, c) => logBatch(db(), one.project.id, one.runId, { metrics: points('loss', c * 100, 100) })));
    expect(await stored(one.runId)).toBe(800);
    expect(await listLatestMetrics(db(), one.candidateId)).toEqual([{ key: 'loss', step: 799, timestamp: 1799, value: 799 / 7 }]);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, c) =>
        createRun(db(), { projectId: one.project.id, userId: one.user.id, username: one.user.username, experimentId: String(one.experiment.iid), runName: `r${c}` }),
      ),
    );
    await Promise.all(runs.map((r) => logBatch(db(), one.project.id, r.info.runId, { metrics: points('acc', 0, 250) })));
    for (const r of runs) expect(await stored(r.info.runId)).toBe(250);
  });

  it('leaves nothing anywhere when the run is deleted or a param would change', async () => {
    const { project, runId, candidateId } = await seedRun();
    await logBatch(db(), project.id, runId, { params: [{ key: 'lr', value: '0.1' }] });
    await expect(logBatch(db(), project.id, runId, { params: [{ key: 'lr', value: '0.2' }], metrics: [point('m', 0, 1, 1)] })).rejects.toThrow(
      /Changing param values is not allowed/,
    );
    expect(await stored(runId)).toBe(0);
    await deleteRun(db(), project.id, runId);
    await expect(logBatch(db(), project.id, runId, { metrics: [point('m', 0, 1, 1)] })).rejects.toThrow(InvalidInputError);
    expect(await stored(runId)).toBe(0);
    expect(await listLatestMetrics(db(), candidateId)).toEqual([]);
  });

  it('takes the points back out when the run is deleted between the history write and D1', async () => {
    const { project, runId, candidateId } = await seedRun();
    await logBatch(db(), project.id, runId, { metrics: [point('m', 0, 1, 1)] });
    // A D1 handle whose transaction finds the run deleted by someone else just before it.
    const racing = openDatabase(
      new Proxy(env.DB, {
        get(target, prop) {
          if (prop === 'batch') {
            return async (statements: D1PreparedStatement[]) => {
              await deleteRun(db(), project.id, runId);
              return target.batch(statements);
            };
          }
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
    );
    await expect(logBatch(racing, project.id, runId, { metrics: [point('m', 0, 1, 1), point('m', 1, 1, 2)], params: [{ key: 'p', value: '1' }] })).rejects.toThrow(
      /must be in the 'active' state/,
    );
    // The point stored before stays; the refused batch's new point is gone; D1 got nothing.
    expect((await candidateMetricHistory(db(), candidateId, 'm')).map((p) => p.step)).toEqual([0]);
    expect(await listParams(db(), candidateId)).toEqual([]);
    expect(await listLatestMetrics(db(), candidateId)).toEqual([{ key: 'm', step: 0, timestamp: 1, value: 1 }]);
  });
});

describe('history objects: deletes', () => {
  it('deletes the history with the candidate for good, and with its project', async () => {
    const { project, runId, candidateId, user, experiment } = await seedRun();
    await logBatch(db(), project.id, runId, { metrics: points('m', 0, 10) });
    await deleteRun(db(), project.id, runId);
    expect(await stored(runId)).toBe(10);
    await deleteCandidateForGood({ db: db(), bucket: env.ARTIFACTS }, project.id, candidateId);
    expect(await stored(runId)).toBe(0);

    const others = await Promise.all(
      [1, 2].map(() => createRun(db(), { projectId: project.id, userId: user.id, username: user.username, experimentId: String(experiment.iid) })),
    );
    for (const r of others) await logBatch(db(), project.id, r.info.runId, { metrics: points('m', 0, 5) });
    expect(await stored(others[1].info.runId)).toBe(5);
    await deleteProject(db(), env.ARTIFACTS, project.id);
    for (const r of others) expect(await stored(r.info.runId)).toBe(0);
  });
});

describe('upgrade from D1-only history', () => {
  /** Points written the way the previous version did: rows of D1's `metrics` table. */
  async function seedOldWay(candidateId: number, n: number) {
    const rows = Array.from({ length: n }, (_, i) => [`k${i % 3}`, i % 50 === 7 ? 0 : i / 3, i, 5000 + i, i % 50 === 7 ? 1 : 0]);
    for (let i = 0; i < rows.length; i += 500) {
      await env.DB.prepare(
        `INSERT INTO metrics (candidate_id, key, step, timestamp, value, is_nan)
         SELECT ?1, j.value ->> 0, j.value ->> 2, j.value ->> 3, j.value ->> 1, j.value ->> 4 FROM json_each(?2) j`,
      )
        .bind(candidateId, JSON.stringify(rows.slice(i, i + 500)))
        .run();
    }
    return rows;
  }
  const legacyLeft = async (candidateId: number) =>
    (await env.DB.prepare('SELECT count(*) AS n FROM metrics WHERE candidate_id = ?').bind(candidateId).first<{ n: number }>())!.n;

  it('copies every point, resumably, and a read before the copy already sees them all', async () => {
    const a = await seedRun();
    const b = await seedRun();
    const rowsA = await seedOldWay(a.candidateId, 3000);
    await seedOldWay(b.candidateId, 1200);
    // A read of a candidate still in D1 moves its points first.
    const read = await metricHistoryJson(db(), b.project.id, b.runId, 'k1');
    expect(JSON.parse(`[${read.items}]`)).toHaveLength(400);
    expect(await legacyLeft(b.candidateId)).toBe(0);
    // The instance-wide copy, stopped and resumed; a chunk copied twice changes nothing.
    const first = await copyLegacyHistory(db(), { maxPoints: 1000 });
    expect(first).toEqual({ copied: 1000, done: false });
    await historyOf(a.runId).append(rowsA.slice(0, 1000).map((r) => [r[0], r[1], r[2], r[3], r[4]] as [string, number, number, number, 0 | 1]));
    let rest;
    do rest = await copyLegacyHistory(db(), { maxPoints: 700 });
    while (!rest.done);
    expect(await legacyLeft(a.candidateId)).toBe(0);
    expect(await stored(a.runId)).toBe(3000);
    const k0 = await candidateMetricHistory(db(), a.candidateId, 'k0');
    const expected = rowsA.filter((r) => r[0] === 'k0').map((r) => ({ key: 'k0', step: r[2], timestamp: r[3], value: r[4] ? NaN : r[1] }));
    expect(k0).toEqual(expected);
    const sampled = await metricHistoryBulkInterval(db(), a.project.id, { runIds: [a.runId], key: 'k2', maxResults: 10 });
    expect(sampled.at(-1)).toMatchObject({ step: 2999 });
  });

  it('is drained by the cron trigger', async () => {
    const c = await seedRun();
    await seedOldWay(c.candidateId, 700);
    await worker.scheduled({ cron: '*/5 * * * *', scheduledTime: Date.now(), noRetry() {} }, env);
    expect(await legacyLeft(c.candidateId)).toBe(0);
    expect(await stored(c.runId)).toBe(700);
  });
});

describe('no SQL value or row over 2,000,000 bytes', () => {
  const LIMIT = 2_000_000;
  /** Fails on any D1 result value or row larger than D1 allows (local workerd does not enforce it). */
  function guardedDb() {
    const check = (rows: unknown[]) => {
      for (const row of rows) {
        const values = Array.isArray(row) ? row : Object.values(row as object);
        const size = values.reduce<number>((n, v) => n + (typeof v === 'string' ? new TextEncoder().encode(v).length : v instanceof ArrayBuffer ? v.byteLength : 8), 0);
        if (size > LIMIT) throw new Error(`a D1 row of ${size} bytes`);
      }
    };
    const wrap = (statement: D1PreparedStatement): D1PreparedStatement =>
      new Proxy(statement, {
        get(target, prop) {
          if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values));
          if (prop === 'all') return async () => { const r = await target.all(); check(r.results); return r; };
          if (prop === 'first') return async (col?: string) => { const r = await target.first(); check([r ?? {}]); return col ? (r as Record<string, unknown> | null)?.[col] ?? null : r; };
          if (prop === 'raw') return async (o?: object) => { const r = await target.raw(o as never); check(r); return r; };
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    return openDatabase(
      new Proxy(env.DB, {
        get(target, prop) {
          if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql));
          if (prop === 'batch') return async (s: D1PreparedStatement[]) => { const out = await target.batch(s); for (const r of out) check(r.results); return out; };
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
    );
  }

  it('reads a page of 25000 points with 17-digit values and a 30,000-point history whole', async () => {
    const { project, runId } = await seedRun();
    const guarded = guardedDb();
    const value = (i: number) => 0.12345678901234567 + i * 1.1e-9;
    for (let i = 0; i < 30_000; i += 1000) {
      await logBatch(guarded, project.id, runId, { metrics: Array.from({ length: 1000 }, (_, j) => point('val_loss_with_a_long_name', i + j, 1_700_000_000_000 + i + j, value(i + j))) });
    }
    const page = await metricHistoryJson(guarded, project.id, runId, 'val_loss_with_a_long_name', { maxResults: 25_000 });
    expect(page.items.length).toBeGreaterThan(LIMIT);
    expect(JSON.parse(`[${page.items}]`)[24_999]).toEqual({ key: 'val_loss_with_a_long_name', value: value(24_999), timestamp: 1_700_000_024_999, step: 24_999 });
    const whole = await metricHistoryJson(guarded, project.id, runId, 'val_loss_with_a_long_name');
    let text = whole.items;
    for await (const part of whole.rest!) text += part;
    const all = JSON.parse(`[${text}]`);
    expect(all).toHaveLength(30_000);
    expect(all.every((p: { step: number; value: number }) => p.value === value(p.step))).toBe(true);
    expect(await metricHistoryBulkInterval(guarded, project.id, { runIds: [runId], key: 'val_loss_with_a_long_name', maxResults: 2500 })).toHaveLength(2500);
  });

  it('the guard itself catches a query that builds a string that long', async () => {
    const guarded = guardedDb();
    // hex() of n zero bytes is a string of 2n characters
    const error = await all(guarded, 'SELECT hex(zeroblob(?)) AS s', 1_000_001).then(() => null, (e: Error) => e.message);
    expect(error).toBe('a D1 row of 2000002 bytes');
    expect((await all<{ s: string }>(guarded, 'SELECT hex(zeroblob(?)) AS s', 1_000_000))[0].s).toHaveLength(2_000_000);
  });
});
