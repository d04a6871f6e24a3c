// `npm start`: applies the migrations to the local D1, builds the worker as `wrangler deploy`
// would, runs it on embedded D1/R2/KV in workerd (through Miniflare, with wrangler.toml's
// bindings), bootstraps an admin and a demo project on an empty database, and prints what to paste.
//
// It serves the built worker straight from Miniflare rather than through `wrangler dev`, whose
// extra proxy process and local trace store cost about 10 ms on every request; `npm run dev` is
// `wrangler dev` with live reload, for working on the code.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const root = resolve(import.meta.dirname, '..');
const state = resolve(process.env.FLARETRACK_STATE ?? '.wrangler/state');
const port = Number(process.env.PORT ?? 8787);
const host = '127.0.0.1';
const origin = `http://${host}:${port}`;
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' };

mkdirSync(state, { recursive: true });
const secretFile = join(state, 'flaretrack-admin.json');
const saved = existsSync(secretFile) ? JSON.parse(readFileSync(secretFile, 'utf8')) : null;
const token = process.env.FLARETRACK_BOOTSTRAP_TOKEN ?? saved?.token ?? `ftpat-${randomBytes(16).toString('hex')}`;
if (!saved) writeFileSync(secretFile, JSON.stringify({ token }, null, 2), { mode: 0o600 });

/** Runs a wrangler command to completion; exits with its output when it fails. */
function wrangler(...args) {
  const run = spawnSync('wrangler', args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) {
    process.stderr.write(`wrangler ${args.join(' ')} failed${run.error ? `: ${run.error.message}` : ''}\n${run.stdout ?? ''}${run.stderr ?? ''}`);
    process.exit(run.status || 1);
  }
}

wrangler('d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state);
// built afresh on every start, next to the state it serves
const bundle = join(state, 'worker');
rmSync(bundle, { recursive: true, force: true });
wrangler('deploy', '--dry-run', '--outdir', bundle);

const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'));
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host,
    port,
    // the layout `wrangler dev --persist-to` and `wrangler d1 ... --persist-to` use
    resourcePersistencePath: join(state, 'v3'),
    // no fetch of Cloudflare's request.cf data: a placeholder is enough offline
    cf: false,
    log: new Log(process.env.FLARETRACK_VERBOSE ? LogLevel.DEBUG : LogLevel.WARN),
    workers: [
      {
        ...workerOptions,
        // the bundle is already built: its one module needs no rules
        modulesRules: undefined,
        name: 'flaretrack',
        modules: true,
        modulesRoot: bundle,
        scriptPath: join(bundle, 'index.js'),
        bindings: { ...workerOptions.bindings, FLARETRACK_BOOTSTRAP_TOKEN: token, FLARETRACK_LOCAL: 'on' },
      },
    ],
  }),
);

// Miniflare stops workerd itself on SIGINT, SIGTERM and exit.
try {
  await mf.ready;
} catch (e) {
  console.error(`the worker did not start: ${e.message}`);
  await mf.dispose().catch(() => {});
  process.exit(1);
}

const auth = { headers: { authorization: `Bearer ${token}` } };
const res = await fetch(`${origin}/api/v4/user`, auth);
if (res.status !== 200 && res.status !== 401) {
  console.error(`the worker answered ${res.status} to GET /api/v4/user:\n${await res.text()}`);
  await mf.dispose().catch(() => {});
  process.exit(1);
}
const me = res.status === 200 ? await res.json() : null;
const projects = me ? await (await fetch(`${origin}/api/v4/projects`, auth)).json() : [];
const demo = projects.find((p) => p.path_with_namespace === 'root/demo') ?? projects[0];
const lines = [`flaretrack is running at ${origin}/`];
if (me) {
  lines.push(`  admin:  ${me.username}`, `  token:  ${token}`);
  if (demo) {
    lines.push(
      `  demo project: ${origin}/${demo.path_with_namespace}/-/ml/experiments`,
      '',
      'Log to it with the MLflow client:',
      `  export MLFLOW_TRACKING_URI=${origin}/api/v4/projects/${demo.id}/ml/mlflow`,
      `  export MLFLOW_TRACKING_TOKEN=${token}`,
    );
  }
} else {
  lines.push('  (this state folder already has users; sign in with your own token)');
}
lines.push(`  state: ${state}`);
console.log(lines.join('\n'));
