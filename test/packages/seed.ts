/** Seeds experiments and candidates directly (the packages tests need only the rows). */
import { candidates, experiments } from '../../src/db/schema';
import { db, unique } from '../helpers';

let iid = 1000;

/** Creates an experiment with one candidate in the project; returns the candidate id. */
export async function seedCandidate(projectId: number): Promise<number> {
  const [experiment] = await db().insert(experiments).values({ projectId, iid: iid++, name: unique('exp') }).returning();
  const [candidate] = await db()
    .insert(candidates)
    .values({ runId: unique('run').padEnd(32, '0'), projectId, experimentId: experiment.id, name: unique('cand'), startTime: Date.now() })
    .returning();
  return candidate.id;
}

/** Hex SHA-256 of bytes or text. */
export async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `n` pseudo-random bytes (deterministic per seed). */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A stream of `data` in chunks, without a known length (as a chunked request body). */
export function chunked(data: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

/** Keys under a prefix in R2. */
export async function r2Keys(bucket: R2Bucket, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}
