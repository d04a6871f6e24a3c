/** Test helpers: seed users, projects and tokens through the domain, and call the worker. */
import { env, exports } from 'cloudflare:workers';
import { createToken } from '../src/access/tokens';
import { createUser } from '../src/access/users';
import { addMember, createProject } from '../src/access/projects';
import { AccessLevel } from '../src/access/policy';
import { openDatabase } from '../src/db/client';
import { setFlag } from '../src/flags/flags';

/** The drizzle handle on the test D1. */
export const db = () => openDatabase(env.DB);

let counter = 0;
/** A unique suffix for names within a test file. */
export const unique = (prefix = 'x') => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Creates a user with an `api` token (or the given scopes); returns the user and token. */
export async function seedUser(opts: { admin?: boolean; scopes?: string[]; username?: string; password?: string } = {}) {
  const username = opts.username ?? unique('user');
  const user = await createUser(db(), { username, name: username, email: `${username}@example.com`, password: opts.password, isAdmin: opts.admin });
  const { secret } = await createToken(db(), { userId: user.id, name: 't', scopes: opts.scopes ?? ['api'], expiresAt: null });
  return { user, token: secret };
}

/** Creates a project owned by `ownerId`, optionally with the ML flag on for it. */
export async function seedProject(ownerId: number, opts: { ml?: boolean } = {}) {
  const project = await createProject(db(), ownerId, { namespace: unique('ns'), path: unique('p') });
  if (opts.ml ?? true) await setFlag(env.FLAGS, 'ml_experiment_tracking', true, project.id);
  return project;
}

/** Adds `userId` to the project at `level`. */
export const seedMember = (projectId: number, userId: number, level: number) => addMember(db(), projectId, userId, level, AccessLevel.owner);

type CallOptions = { token?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> };

/** Sends a request to the worker under test. */
export async function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  return exports.default.fetch(new Request(`http://flaretrack.test${path}`, { method, headers, body }));
}

/** Sends a request and parses the JSON answer. */
export async function callJson<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
  const res = await call(method, path, opts);
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new Error(`expected JSON from ${method} ${path}, got ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body };
}
