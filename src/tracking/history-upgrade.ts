/**
 * The upgrade from D1-only history: instances from before the history objects kept every point
 * in D1's `metrics` table. Those points move, a chunk at a time, into each candidate's history
 * object and are then deleted from D1; the table is empty on new instances and, once drained,
 * on upgraded ones. The copy is resumable and idempotent: a chunk is written to the objects
 * first (a point already there is skipped) and deleted from D1 only after, so a copy stopped
 * anywhere loses nothing and is simply run again. A read of a candidate whose points are still
 * in D1 copies them first (metrics.ts), so history answers are whole during the upgrade, and
 * the cron trigger in wrangler.toml drains the rest (`copyLegacyHistoryOnSchedule`).
 */
import { openDatabase, type Database } from '../db/client';
import { all, stmt } from './d1';
import { historyOf, type PointRow } from './metric-history';

/** Points copied per round: one D1 read, one append per candidate in it, one D1 delete. */
const CHUNK = 5000;

type LegacyRow = { rid: number; run_id: string; key: string; step: number; timestamp: number; value: number; is_nan: number };

/**
 * Moves D1's legacy metric points into the history objects: those of `candidateId` only, or of
 * every candidate; stops after about `maxPoints` (all by default). Returns how many moved and
 * whether none remain (of that candidate, or at all).
 */
export async function copyLegacyHistory(db: Database, opts: { candidateId?: number; maxPoints?: number } = {}): Promise<{ copied: number; done: boolean }> {
  const limit = opts.maxPoints ?? Infinity;
  const where = opts.candidateId === undefined ? '' : 'WHERE m.candidate_id = ?2';
  let copied = 0;
  while (copied < limit) {
    const rows = await all<LegacyRow>(
      db,
      `SELECT m.rowid AS rid, c.run_id, m.key, m.step, m.timestamp, m.value, m.is_nan
       FROM metrics m JOIN candidates c ON c.id = m.candidate_id ${where}
       ORDER BY m.candidate_id, m.key, m.step, m.timestamp, m.value, m.is_nan LIMIT ?1`,
      Math.min(CHUNK, limit - copied),
      ...(opts.candidateId === undefined ? [] : [opts.candidateId]),
    );
    if (rows.length === 0) return { copied, done: true };
    const perRun = new Map<string, LegacyRow[]>();
    for (const r of rows) perRun.set(r.run_id, [...(perRun.get(r.run_id) ?? []), r]);
    await Promise.all(
      [...perRun].map(([runId, points]) => historyOf(runId).append(points.map((p): PointRow => [p.key, p.value, p.step, p.timestamp, p.is_nan ? 1 : 0]))),
    );
    await stmt(db, 'DELETE FROM metrics WHERE rowid IN (SELECT value FROM json_each(?))', JSON.stringify(rows.map((r) => r.rid))).run();
    copied += rows.length;
  }
  const left = await all(db, `SELECT 1 FROM metrics m ${where.replace('?2', '?1')} LIMIT 1`, ...(opts.candidateId === undefined ? [] : [opts.candidateId]));
  return { copied, done: left.length === 0 };
}

/** Points moved per cron run (a few seconds of work); the trigger runs every few minutes until none are left. */
export const SCHEDULED_COPY_POINTS = 100_000;

/** The cron trigger's handler: moves the next SCHEDULED_COPY_POINTS legacy points (one D1 read when none are left). */
export async function copyLegacyHistoryOnSchedule(_controller: ScheduledController, env: { DB: D1Database }): Promise<void> {
  await copyLegacyHistory(openDatabase(env.DB), { maxPoints: SCHEDULED_COPY_POINTS });
}
