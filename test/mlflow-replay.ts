/**
 * Replays what the real MLflow client sent to MLflow's server (`test/fixtures/mlflow-client/
 * requests.jsonl`, a copy of `shared/mlflow-client/requests.jsonl`) against this worker, under
 * a project's MLflow prefix, and checks that each answer carries every field MLflow's answer
 * carried: same keys, same JSON types, the same values where they are deterministic.
 *
 * Ids differ between the recording and this server (experiment "10" is "1" here; run and model
 * ids are random): the replay learns recorded → actual ids from the answers of the requests
 * that create things, rewrites later requests with them, and maps the recorded answers before
 * comparing. Server-made values (times, artifact locations, page tokens) are compared by type.
 * Error answers are compared by status and `error_code` (MLflow's messages carry raw SQL).
 *
 * Other streams replay their parts with `replay()` and their own filter, ignore list and hooks.
 */
import recording from './fixtures/mlflow-client/requests.jsonl?raw';
import { call } from './helpers';

/** One recorded exchange. */
export type Exchange = {
  /** Position in the recording (0-based). */
  index: number;
  step: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
};

/** Every exchange of the recording, in order. */
export function recordedExchanges(): Exchange[] {
  return recording
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => ({ index, query: {}, headers: {}, ...JSON.parse(line) }));
}

/** The tracking API's exchanges: experiments, runs, metrics, logged models. */
export const isTrackingExchange = (e: Exchange) => /^\/api\/2\.0\/mlflow\/(experiments|runs|metrics|logged-models)(\/|$)/.test(e.path);

/** Keys whose values the server makes up (times, locations, tokens): compared by type only. */
export const SERVER_MADE_KEYS = new Set([
  'creation_time',
  'last_update_time',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
  'creation_timestamp',
  'last_updated_timestamp',
  'artifact_uri',
  'artifact_location',
  'next_page_token',
]);

/** Keys holding ids the replay maps from recorded to actual. */
export const ID_KEYS = new Set(['experiment_id', 'run_id', 'run_uuid', 'model_id', 'source_run_id']);

/** A difference between a recorded and an actual answer. */
export type Mismatch = { index: number; step: string; request: string; problem: string };

export type ReplayOptions = {
  /** The project's MLflow prefix, e.g. `/api/v4/projects/7/ml/mlflow`. */
  prefix: string;
  token: string;
  /** Which exchanges to replay (default: the tracking API's). */
  include?: (e: Exchange) => boolean;
  /** JSON paths (`run.info.tags`, `models.0.info`) not to compare for an exchange. */
  ignore?: (e: Exchange) => string[];
  /** Requests whose answers introduce new ids (default: anything that creates). */
  learnsIds?: (e: Exchange) => boolean;
  /** Rewrites a (mapped) request path, e.g. to turn recorded artifact paths into this server's. */
  rewritePath?: (path: string, e: Exchange, ids: Map<string, string>) => string;
  /** Called with each actual answer (to learn more ids, or to check more). */
  onAnswer?: (e: Exchange, status: number, body: unknown, ids: Map<string, string>) => void;
};

const CREATES = /\/(create|logged-models)$/;

/** Replaces recorded ids by actual ones in every string of `value` (exact or embedded). */
export function mapIds<T>(value: T, ids: Map<string, string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    if (ids.has(out)) return ids.get(out) as T;
    for (const [from, to] of ids) if (from.length >= 16 && out.includes(from)) out = out.replaceAll(from, to);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((v) => mapIds(v, ids)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapIds(v, ids)])) as T;
  }
  return value;
}

/** Learns recorded → actual ids from parallel answers (only where the keys hold ids). */
function learnIds(recorded: unknown, actual: unknown, ids: Map<string, string>) {
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    recorded.forEach((r, i) => learnIds(r, actual[i], ids));
  } else if (recorded && actual && typeof recorded === 'object' && typeof actual === 'object') {
    for (const [k, v] of Object.entries(recorded)) {
      const a = (actual as Record<string, unknown>)[k];
      if (ID_KEYS.has(k) && typeof v === 'string' && typeof a === 'string' && v && !ids.has(v)) ids.set(v, a);
      else learnIds(v, a, ids);
    }
  }
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every way `actual` fails to carry what `recorded` carries. */
export function compareAnswer(recorded: unknown, actual: unknown, path = '', ignore: string[] = []): string[] {
  if (ignore.includes(path)) return [];
  const key = path.split('.').pop() ?? '';
  if (typeOf(recorded) !== typeOf(actual)) return [`${path || '(root)'}: expected ${typeOf(recorded)} ${JSON.stringify(recorded)?.slice(0, 80)}, got ${typeOf(actual)} ${JSON.stringify(actual)?.slice(0, 80)}`];
  if (Array.isArray(recorded)) {
    const a = actual as unknown[];
    if (a.length < recorded.length) return [`${path}: expected at least ${recorded.length} items, got ${a.length}`];
    return recorded.flatMap((r, i) => compareAnswer(r, a[i], `${path}.${i}`, ignore));
  }
  if (recorded && typeof recorded === 'object') {
    return Object.entries(recorded).flatMap(([k, v]) => {
      const sub = path ? `${path}.${k}` : k;
      if (ignore.includes(sub)) return [];
      if (!(k in (actual as object))) return [`${sub}: missing`];
      return compareAnswer(v, (actual as Record<string, unknown>)[k], sub, ignore);
    });
  }
  if (SERVER_MADE_KEYS.has(key)) return [];
  return recorded === actual ? [] : [`${path}: expected ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`];
}

function queryString(query: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Replays the chosen exchanges in order; returns every mismatch (none when all answers fit). */
export async function replay(opts: ReplayOptions): Promise<{ mismatches: Mismatch[]; replayed: number; ids: Map<string, string> }> {
  const include = opts.include ?? isTrackingExchange;
  const learnsIds = opts.learnsIds ?? ((e: Exchange) => e.method === 'POST' && CREATES.test(e.path));
  const ids = new Map<string, string>();
  const mismatches: Mismatch[] = [];
  let replayed = 0;
  for (const e of recordedExchanges()) {
    if (!include(e)) continue;
    replayed++;
    let path = mapIds(e.path, ids);
    if (opts.rewritePath) path = opts.rewritePath(path, e, ids);
    const url = `${opts.prefix}${path}${queryString(mapIds(e.query ?? {}, ids))}`;
    const hasBody = e.method !== 'GET' && e.method !== 'HEAD' && e.body !== null && e.body !== undefined;
    const res = await call(e.method, url, hasBody ? { token: opts.token, json: mapIds(e.body, ids) } : { token: opts.token });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const request = `${e.method} ${e.path}`;
    if (e.status < 400 && res.status < 400 && learnsIds(e)) learnIds(e.response, body, ids);
    opts.onAnswer?.(e, res.status, body, ids);
    if (res.status !== e.status) {
      mismatches.push({ index: e.index, step: e.step, request, problem: `status ${res.status}, expected ${e.status}: ${text.slice(0, 200)}` });
      continue;
    }
    if (e.status >= 400) {
      const code = (body as { error_code?: string } | null)?.error_code;
      const expected = (e.response as { error_code?: string }).error_code;
      if (code !== expected) mismatches.push({ index: e.index, step: e.step, request, problem: `error_code ${code}, expected ${expected}` });
      continue;
    }
    for (const problem of compareAnswer(mapIds(e.response, ids), body, '', opts.ignore?.(e) ?? [])) {
      mismatches.push({ index: e.index, step: e.step, request, problem });
    }
  }
  return { mismatches, replayed, ids };
}
