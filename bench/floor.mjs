// The floor: the same rows written and read with Node's built-in node:sqlite in this one process,
// with the schema of migrations/ and the SQL statements the worker runs, copied from the domain
// (each method names the function it mirrors). No HTTP, no workerd, no drizzle, no JSON on a wire:
// what the work itself costs in SQLite.
//
// Fidelity rules:
// - Local D1 (miniflare) keeps its SQLite file in WAL mode and fsyncs on commit (seen with strace),
//   so the floor opens its file in WAL mode with SQLite's default synchronous=FULL, on the same disk.
// - One D1 call (a single statement, or a `db.batch([...])`) is one transaction here too: a single
//   statement autocommits, a batch runs inside BEGIN/COMMIT.
// - Every request to the worker first authenticates its token and loads the project (two SELECTs,
//   src/access/tokens.ts authenticateToken and src/access/projects.ts loadProjectAccess); the floor
//   runs them per mirrored request too. The KV flag read and SHA-256 of the token are not SQL and
//   are left out.
// - Statements are prepared once and reused: the best case for raw SQLite.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const ROOT = resolve(import.meta.dirname, '..');

/** Applies every migrations/*.sql in order, as `wrangler d1 migrations apply` does. */
function migrate(db) {
  const dir = join(ROOT, 'migrations');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    for (const stmt of readFileSync(join(dir, file), 'utf8').split('--> statement-breakpoint')) {
      if (stmt.trim()) db.exec(stmt);
    }
  }
}

// src/access/tokens.ts authenticateToken (drizzle's text for the select with its join)
const SQL_AUTH_TOKEN =
  'select "personal_access_tokens"."id", "personal_access_tokens"."user_id", "personal_access_tokens"."name", "personal_access_tokens"."token_hash", "personal_access_tokens"."scopes", "personal_access_tokens"."expires_at", "personal_access_tokens"."revoked", "personal_access_tokens"."last_used_at", "personal_access_tokens"."created_at", "users"."id", "users"."username", "users"."name", "users"."email", "users"."password_hash", "users"."is_admin", "users"."is_blocked", "users"."created_at" from "personal_access_tokens" inner join "users" on "users"."id" = "personal_access_tokens"."user_id" where "personal_access_tokens"."token_hash" = ? limit ?';
// src/access/tokens.ts authenticateToken: last_used_at, at most once a minute
const SQL_TOUCH_TOKEN = 'update "personal_access_tokens" set "last_used_at" = ? where "personal_access_tokens"."id" = ?';
// src/access/projects.ts loadProjectAccess, by numeric id
const SQL_LOAD_PROJECT =
  'select "projects"."id", "projects"."namespace", "projects"."path", "projects"."name", "projects"."description", "projects"."created_at", "project_members"."access_level" from "projects" left join "project_members" on ("project_members"."project_id" = "projects"."id" and "project_members"."user_id" = ?) where "projects"."id" = ? limit ?';

/** A raw node:sqlite database shaped like the worker's, with one user, token and project. */
export class Floor {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'flaretrack-floor-'));
    this.db = new DatabaseSync(join(this.dir, 'floor.sqlite'));
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA foreign_keys = ON'); // D1 enforces foreign keys
    migrate(this.db);
    this.cache = new Map();
    // the bootstrap's rows (src/access/bootstrap.ts), written directly: set-up, not measured
    const secret = 'ftpat-floor';
    this.tokenHash = createHash('sha256').update(secret).digest('hex');
    this.userId = Number(this.db.prepare("insert into users (username, name, email, is_admin) values ('root', 'Administrator', 'root@flaretrack.invalid', 1) returning id").get().id);
    this.tokenId = Number(this.db.prepare("insert into personal_access_tokens (user_id, name, token_hash, scopes) values (?, 'bootstrap', ?, 'api') returning id").get(this.userId, this.tokenHash).id);
    this.projectId = Number(this.db.prepare("insert into projects (namespace, path, name) values ('root', 'demo', 'Demo') returning id").get().id);
    this.db.prepare('insert into project_members (project_id, user_id, access_level) values (?, ?, 50)').run(this.projectId, this.userId);
  }

  /** A prepared statement for `sql`, prepared once. */
  stmt(sql) {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction (a D1 `batch`). */
  batch(fn) {
    this.db.exec('BEGIN');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** What every API request runs before its route: authenticateToken, then loadProjectAccess. */
  authenticate(now = Date.now()) {
    const token = this.stmt(SQL_AUTH_TOKEN).get(this.tokenHash, 1);
    if (!token) throw new Error('floor: token not found');
    if (this.lastUsed === undefined || now - this.lastUsed > 60_000) {
      this.stmt(SQL_TOUCH_TOKEN).run(now, this.tokenId);
      this.lastUsed = now;
    }
    const project = this.stmt(SQL_LOAD_PROJECT).get(this.userId, this.projectId, 1);
    if (!project) throw new Error('floor: project not found');
  }

  /** The query plan of a statement, as text lines (for findings). */
  explain(sql, ...params) {
    return this.db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((r) => `${r.id}:${r.parent} ${r.detail}`);
  }

  /** Closes and removes the database. */
  close() {
    try {
      this.db.close();
    } catch {}
    rmSync(this.dir, { recursive: true, force: true });
  }
}
