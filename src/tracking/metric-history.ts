/**
 * A candidate's metric history: one SQLite-backed Durable Object per run (named by its run id),
 * holding every point the run logged. D1 keeps what is searched and listed (the latest value of
 * each metric with its min and max); the points, which are most of the data, scale out here, one
 * database and one writer per candidate.
 *
 * Storage: `metric_keys` maps each metric name to a small integer once; `points` is a WITHOUT
 * ROWID table keyed by MLflow's identity of a point (key, step, timestamp, value, NaN-ness), so a
 * retried point is a no-op and every history read is a walk of that key in order. Values are
 * stored as D1 stored them (metric-values.ts): NaN as 0 with `is_nan`, ±Infinity as ±max double.
 * Every answer is rows of numbers: no SQL value or row comes near the 2,000,000-byte limit.
 */
import { DurableObject, env } from 'cloudflare:workers';

/** A point as written: [key, stored value, step, timestamp, isNan]. */
export type PointRow = [key: string, value: number, step: number, timestamp: number, isNan: 0 | 1];
/** A point as read (its key is the one asked for): [step, timestamp, stored value, isNan] (a plain array: RPC keeps no tuple types). */
export type StoredPoint = number[];

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS metric_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS points (
    key_id INTEGER NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,
    PRIMARY KEY (key_id, step, timestamp, value, is_nan)
  ) WITHOUT ROWID;`;

const ORDER = 'ORDER BY step, timestamp, value, is_nan';
const COLUMNS = 'SELECT step, timestamp, value, is_nan FROM points';

/** The history store of one candidate (see the module comment). Called through RPC only. */
export class MetricHistory extends DurableObject {
  private schemaReady = false;

  /** The object's SQL, its tables created on first use (again after `destroy`). */
  private get sql(): SqlStorage {
    if (!this.schemaReady) {
      this.ctx.storage.sql.exec(SCHEMA);
      this.schemaReady = true;
    }
    return this.ctx.storage.sql;
  }

  /**
   * Stores points (one transaction) and returns the indexes of those that were new: a point
   * already stored (a retried batch) is skipped and not listed.
   */
  append(rows: PointRow[]): number[] {
    return this.ctx.storage.transactionSync(() => {
      const ids = new Map<string, number>();
      const added: number[] = [];
      rows.forEach((row, i) => {
        const [key, value, step, timestamp, isNan] = row;
        let id = ids.get(key);
        if (id === undefined) {
          this.sql.exec('INSERT INTO metric_keys (key) VALUES (?) ON CONFLICT (key) DO NOTHING', key);
          id = this.sql.exec<{ id: number }>('SELECT id FROM metric_keys WHERE key = ?', key).one().id;
          ids.set(key, id);
        }
        const cursor = this.sql.exec('INSERT OR IGNORE INTO points VALUES (?, ?, ?, ?, ?)', id, step, timestamp, value, isNan);
        if (cursor.rowsWritten > 0) added.push(i);
      });
      return added;
    });
  }

  /** Removes exactly these points (undoing an `append` whose batch D1 then refused). */
  remove(rows: PointRow[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const [key, value, step, timestamp, isNan] of rows) {
        this.sql.exec(
          'DELETE FROM points WHERE key_id = (SELECT id FROM metric_keys WHERE key = ?) AND step = ? AND timestamp = ? AND value = ? AND is_nan = ?',
          key,
          step,
          timestamp,
          value,
          isNan,
        );
      }
    });
  }

  /**
   * Up to `limit` points of `key` in MLflow's order (step, timestamp, value, NaN-ness), after
   * `after` when given (a keyset cursor: the last point of the previous page).
   */
  page(key: string, limit: number, after?: StoredPoint): StoredPoint[] {
    const id = this.keyId(key);
    if (id === null) return [];
    const rows = after
      ? this.sql.exec(`${COLUMNS} WHERE key_id = ? AND (step, timestamp, value, is_nan) > (?, ?, ?, ?) ${ORDER} LIMIT ?`, id, ...after, limit)
      : this.sql.exec(`${COLUMNS} WHERE key_id = ? ${ORDER} LIMIT ?`, id, limit);
    return [...rows.raw()] as StoredPoint[];
  }

  /**
   * The first and last step of `key` in [start, end] and how many points lie there, counted up
   * to `cap` + 1 (enough to tell whether more than `cap` do). Null when none do.
   */
  range(key: string, start: number, end: number, cap: number): { lo: number; hi: number; count: number } | null {
    const id = this.keyId(key);
    if (id === null) return null;
    const lo = this.sql.exec<{ step: number }>('SELECT step FROM points WHERE key_id = ? AND step >= ? AND step <= ? ORDER BY step LIMIT 1', id, start, end).toArray()[0];
    if (!lo) return null;
    const hi = this.sql.exec<{ step: number }>('SELECT step FROM points WHERE key_id = ? AND step <= ? ORDER BY step DESC LIMIT 1', id, end).one();
    const count = this.sql
      .exec<{ n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM points WHERE key_id = ? AND step BETWEEN ? AND ? LIMIT ?)', id, start, end, cap + 1)
      .one().n;
    return { lo: lo.step, hi: hi.step, count };
  }

  /**
   * At most `max` points of `key` with steps in [start, end] (see metrics.ts,
   * metricHistoryBulkInterval): every point when no more than `max` lie there; otherwise the
   * points at the first step of each of `max - 1` buckets that cut `span` (the steps shared by
   * every run sampled together; this run's own first and last step by default) evenly, and at
   * this run's last step in range. Each bucket costs one index seek.
   */
  sample(key: string, start: number, end: number, max: number, span?: { lo: number; hi: number }): StoredPoint[] {
    const id = this.keyId(key);
    const own = this.range(key, start, end, max);
    if (id === null || own === null) return [];
    if (own.count <= max) return [...this.sql.exec(`${COLUMNS} WHERE key_id = ? AND step BETWEEN ? AND ? ${ORDER}`, id, start, end).raw()] as StoredPoint[];
    const { lo, hi } = span ?? own;
    const steps = new Set<number>();
    for (let i = 0; i === 0 || i < max - 1; i++) {
      const from = lo + Math.trunc((hi - lo) * (i / Math.max(max - 1, 1)));
      const found = this.sql.exec<{ step: number }>('SELECT step FROM points WHERE key_id = ? AND step >= ? AND step <= ? ORDER BY step LIMIT 1', id, from, own.hi).toArray()[0];
      if (found) steps.add(found.step);
    }
    steps.add(own.hi);
    const out: StoredPoint[] = [];
    for (const step of [...steps].sort((a, b) => a - b)) {
      for (const row of this.sql.exec(`${COLUMNS} WHERE key_id = ? AND step = ? ${ORDER}`, id, step).raw()) {
        if (out.length === max) return out;
        out.push(row as StoredPoint);
      }
    }
    return out;
  }

  /** How many points are stored and the database's size on disk, in bytes. */
  size(): { points: number; bytes: number } {
    return { points: this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM points').one().n, bytes: this.sql.databaseSize };
  }

  /** Deletes the whole history (the candidate is gone for good). */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.schemaReady = false;
  }

  private keyId(key: string): number | null {
    return this.sql.exec<{ id: number }>('SELECT id FROM metric_keys WHERE key = ?', key).toArray()[0]?.id ?? null;
  }
}

/** The history object of run `runId`. */
export function historyOf(runId: string): DurableObjectStub<MetricHistory> {
  return env.METRIC_HISTORY.getByName(runId);
}

/** Deletes the histories of these runs (gone for good from D1), a few at a time. */
export async function destroyHistories(runIds: string[]): Promise<void> {
  const PARALLEL = 16;
  for (let i = 0; i < runIds.length; i += PARALLEL) {
    await Promise.all(runIds.slice(i, i + PARALLEL).map((id) => historyOf(id).destroy()));
  }
}
