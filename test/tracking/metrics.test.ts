import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { openDatabase } from '../../src/db/client';
import { logBatch } from '../../src/tracking/batch';
import { getRun, loadRuns } from '../../src/tracking/candidates';
import { metricHistoryBulkInterval, metricHistoryJson } from '../../src/tracking/metrics';
import { InvalidInputError, NotFoundError } from '../../src/errors';
import { db } from '../helpers';
import { seedRun } from './seed';

type Page = { items: string; nextPageToken?: string };
const points = (page: Page) => JSON.parse(`[${page.items}]`) as { key: string; value: number | string; timestamp: number; step: number }[];

/** A database handle that records every statement (SQL and bound values) it prepares. */
function recordingDb() {
  const seen: { sql: string; values: unknown[] }[] = [];
  const real = env.DB;
  const proxy = {
    prepare(sql: string) {
      const statement = real.prepare(sql);
      return new Proxy(statement, {
        get(target, prop) {
          if (prop === 'bind') return (...values: unknown[]) => (seen.push({ sql, values }), target.bind(...values));
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
    batch: (statements: D1PreparedStatement[]) => real.batch(statements),
  } as unknown as D1Database;
  return { db: openDatabase(proxy), seen };
}

/** The full scans (of a table or a whole index) in each recorded statement's query plan. */
async function fullScans(seen: { sql: string; values: unknown[] }[]) {
  const scans: string[] = [];
  for (const { sql, values } of seen) {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...values).all<{ detail: string }>();
    for (const { detail } of plan.results) {
      if (/^SCAN /.test(detail) && !/^SCAN (j|json_each|b|s|r|pk|pts|buckets|CONSTANT ROW|\(subquery|picked|points|runs|span)\b/.test(detail)) scans.push(`${detail} in ${sql.slice(0, 80)}`);
    }
  }
  return scans;
}

describe('metric history (domain)', () => {
  it('pages by keyset even through many points at one step, with every digit kept', async () => {
    const { project, runId } = await seedRun();
    const logged = [
      { key: 'm', step: 0, timestamp: 5, value: 0.1 + 0.2 },
      ...[1, 2, 3, 4, 5].map((t) => ({ key: 'm', step: 1, timestamp: t, value: 1 / 3 })),
      { key: 'm', step: 2, timestamp: 1, value: NaN },
      { key: 'm', step: 3, timestamp: 1, value: -Infinity },
      { key: 'm', step: 4, timestamp: 1, value: 1e-7 },
    ];
    await logBatch(db(), project.id, runId, { metrics: logged });
    const seen: ReturnType<typeof points> = [];
    let token: string | undefined;
    do {
      const page: Page = await metricHistoryJson(db(), project.id, runId, 'm', { maxResults: 2, pageToken: token });
      seen.push(...points(page));
      token = page.nextPageToken;
    } while (token);
    expect(seen.map((p) => [p.step, p.timestamp])).toEqual(logged.map((p) => [p.step, p.timestamp]));
    expect(seen.map((p) => p.value)).toEqual([0.1 + 0.2, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 'NaN', '-Infinity', 1e-7]);
    expect(await metricHistoryJson(db(), project.id, runId, 'none')).toEqual({ items: '' });
    await expect(metricHistoryJson(db(), project.id, runId, 'm', { pageToken: 'bogus' })).rejects.toThrow(InvalidInputError);
    const other = await seedRun();
    await expect(metricHistoryJson(db(), other.project.id, runId, 'm')).rejects.toThrow(NotFoundError);
  });

  it('samples irregular steps, keeping the ends and at most max_results points', async () => {
    const { project, runId } = await seedRun();
    const steps = [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 1000 + i)];
    await logBatch(db(), project.id, runId, { metrics: steps.flatMap((step) => [{ key: 'm', step, timestamp: 1, value: step }, { key: 'm', step, timestamp: 2, value: step }]) });
    const sampled = await metricHistoryBulkInterval(db(), project.id, { runIds: [runId], key: 'm', maxResults: 5 });
    expect(sampled.length).toBeLessThanOrEqual(5);
    expect(sampled[0]).toMatchObject({ step: 0, timestamp: 1, runId });
    const all = await metricHistoryBulkInterval(db(), project.id, { runIds: [runId], key: 'm', maxResults: 100 });
    expect(all).toHaveLength(40);
    const wide = await metricHistoryBulkInterval(db(), project.id, { runIds: [runId], key: 'm', maxResults: 12 });
    const wideSteps = [...new Set(wide.map((p) => p.step))];
    expect(wideSteps[0]).toBe(0);
    expect(wideSteps).toContain(1000);
    expect(wide.length).toBeLessThanOrEqual(12);
  });

  it('reads through indexes only: no full scan of a table for history, sampling, logging or loading runs', async () => {
    const { project, runId, candidateId } = await seedRun();
    await logBatch(db(), project.id, runId, { metrics: Array.from({ length: 50 }, (_, step) => ({ key: 'm', step, timestamp: 1, value: step })) });
    const { db: recorded, seen } = recordingDb();
    const first = await metricHistoryJson(recorded, project.id, runId, 'm', { maxResults: 10 });
    await metricHistoryJson(recorded, project.id, runId, 'm', { maxResults: 10, pageToken: first.nextPageToken });
    await metricHistoryBulkInterval(recorded, project.id, { runIds: [runId], key: 'm', maxResults: 5 });
    await logBatch(recorded, project.id, runId, {
      params: [{ key: 'p', value: '1' }],
      tags: [{ key: 't', value: '1' }],
      metrics: [{ key: 'm', step: 60, timestamp: 1, value: 1 }],
    });
    await getRun(recorded, project.id, runId);
    await loadRuns(recorded, [candidateId]);
    expect(seen.length).toBeGreaterThan(10);
    expect(await fullScans(seen)).toEqual([]);
  });
});
